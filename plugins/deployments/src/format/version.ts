import type { Artifact, Version } from '@stagecraft/plugin-deployments-common';

/** The first seven hex digits of a commit, as Git and GitHub show it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

const ARTIFACT_NAMES: Record<string, string> = {
  'lambda-version': 'Lambda version',
  image: 'image',
  build: 'build',
};

/** An artifact as people name it: "Lambda version 12", "image sha256:3f2a9c1b…". */
export function artifactLabel(artifact: Artifact): string {
  const name = ARTIFACT_NAMES[artifact.kind] ?? artifact.kind;
  // Digests are long and only their start tells them apart at a glance.
  const id =
    artifact.id.length > 24 ? `${artifact.id.slice(0, 19)}…` : artifact.id;
  return `${name} ${id}`;
}

/**
 * The commit as a short SHA, or the artifact when the provider did not know
 * the commit (then `sha` is only a key made from the artifact, not a commit).
 */
export function commitLabel(version: Version): string {
  if (version.commitUnknown) {
    return version.artifact
      ? artifactLabel(version.artifact)
      : 'unknown commit';
  }
  return shortSha(version.sha);
}

/** A version as people name it: the tag where there is one, else the short SHA or the artifact. */
export function versionLabel(version: Version): string {
  return version.tag ?? commitLabel(version);
}

/** What to show beside the version's name: the commit (or artifact) when the name is a tag. */
export function versionDetail(version: Version): string | undefined {
  return version.tag ? commitLabel(version) : undefined;
}

/** The reference to send to the API for a version: tags read better in the audit log. */
export function versionRef(version: Version): string {
  return version.tag ?? version.sha;
}
