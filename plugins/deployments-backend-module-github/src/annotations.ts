import type { Entity } from '@backstage/catalog-model';

/** The standard annotation naming an entity's GitHub repository (`owner/repo`). */
export const GITHUB_PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

/**
 * How a promotion reaches GitHub: the file name (or id) of a workflow to
 * dispatch, default `deploy.yml`, or `deployment` to create a GitHub
 * deployment of the exact commit.
 */
export const GITHUB_PROMOTE_WORKFLOW_ANNOTATION =
  'stagecraft.io/github-promote-workflow';

/**
 * Maps Stagecraft environment names to GitHub environment names where they
 * differ, e.g. `production=prod,staging=stage`.
 */
export const GITHUB_ENVIRONMENTS_ANNOTATION =
  'stagecraft.io/github-environments';

/** The workflow dispatched to promote when an entity names none. */
/**
 * `mapped`: the entity's deployments are only those in the GitHub
 * environments that `stagecraft.io/github-environments` names — for a
 * repository that several entities share. Default `all`.
 */
export const GITHUB_ENVIRONMENT_SCOPE_ANNOTATION =
  'stagecraft.io/github-environment-scope';

export const DEFAULT_PROMOTE_WORKFLOW = 'deploy.yml';

/** The annotation value that selects promotion by creating a GitHub deployment. */
export const PROMOTE_BY_DEPLOYMENT = 'deployment';

export interface GithubRepository {
  owner: string;
  repo: string;
}

const SLUG = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/;
const ENVIRONMENT_NAME = /^[^\s=,]{1,255}$/;

/** Reads the repository an entity deploys from, or undefined when it has none or the slug is malformed. */
export function readGithubRepository(
  entity: Entity,
): GithubRepository | undefined {
  const slug =
    entity.metadata.annotations?.[GITHUB_PROJECT_SLUG_ANNOTATION]?.trim();
  return parseRepositorySlug(slug);
}

/** Parses `owner/repo`, rejecting anything that could not be a GitHub repository name. */
export function parseRepositorySlug(
  slug: string | undefined,
): GithubRepository | undefined {
  const match = slug ? SLUG.exec(slug) : null;
  if (!match || match[2] === '.' || match[2] === '..') {
    return undefined;
  }
  return { owner: match[1], repo: match[2] };
}

/**
 * Translates environment names between Stagecraft and GitHub. Names without a
 * mapping are the same on both sides.
 */
export class EnvironmentNames {
  private readonly toGithubNames: ReadonlyMap<string, string>;
  private readonly fromGithubNames: ReadonlyMap<string, string>;

  /**
   * Parses `stagecraft=github` pairs separated by commas. Malformed pairs are
   * skipped rather than failing the whole entity: the other pairs still apply.
   */
  static parse(value: string | undefined): EnvironmentNames {
    const pairs: Array<[string, string]> = [];
    for (const part of (value ?? '').split(',')) {
      const [stagecraft, github, ...rest] = part.split('=').map(s => s.trim());
      if (
        rest.length === 0 &&
        stagecraft &&
        github &&
        ENVIRONMENT_NAME.test(stagecraft) &&
        ENVIRONMENT_NAME.test(github)
      ) {
        pairs.push([stagecraft, github]);
      }
    }
    return new EnvironmentNames(pairs);
  }

  private constructor(pairs: Array<[string, string]>) {
    this.toGithubNames = new Map(pairs);
    this.fromGithubNames = new Map(pairs.map(([s, g]) => [g, s]));
  }

  toGithub(stagecraftName: string): string {
    return this.toGithubNames.get(stagecraftName) ?? stagecraftName;
  }

  fromGithub(githubName: string): string {
    return this.fromGithubNames.get(githubName) ?? githubName;
  }

  /** The Stagecraft environment names the mapping names. */
  stagecraftNames(): string[] {
    return [...this.toGithubNames.keys()];
  }

  /** GitHub environment name to Stagecraft name, for the names that differ. */
  fromGithubMap(): Record<string, string> {
    return Object.fromEntries(
      [...this.fromGithubNames].filter(
        ([github, stagecraft]) => github !== stagecraft,
      ),
    );
  }

  /** The canonical `a=b,c=d` form, stable for use in target settings. */
  toString(): string {
    return [...this.toGithubNames].map(([s, g]) => `${s}=${g}`).join(',');
  }
}
