import type { Version } from '@stagecraft/plugin-deployments-common';

/** The first seven hex digits of a commit, as Git and GitHub show it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** A version as people name it: the tag where there is one, else the short SHA. */
export function versionLabel(version: Version): string {
  return version.tag ?? shortSha(version.sha);
}

/** The reference to send to the API for a version: tags read better in the audit log. */
export function versionRef(version: Version): string {
  return version.tag ?? version.sha;
}
