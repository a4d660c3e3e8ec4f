import type { Entity } from '@backstage/catalog-model';

/** The standard annotation naming an entity's GitHub repository (`owner/repo`). */
export const GITHUB_PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

export interface GithubRepository {
  owner: string;
  repo: string;
}

const SLUG = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/;

/** Reads the repository an entity deploys from, or undefined when it has none or the slug is malformed. */
export function readGithubRepository(
  entity: Entity,
): GithubRepository | undefined {
  const slug =
    entity.metadata.annotations?.[GITHUB_PROJECT_SLUG_ANNOTATION]?.trim();
  const match = slug ? SLUG.exec(slug) : null;
  return match ? { owner: match[1], repo: match[2] } : undefined;
}
