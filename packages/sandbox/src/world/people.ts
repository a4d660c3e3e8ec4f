/** A GitHub account of the sandbox's organisation. */
export interface Person {
  login: string;
  id: number;
  name: string;
  type: 'User' | 'Bot';
}

/** A GitHub team; reviewers of an environment may be teams. */
export interface Team {
  slug: string;
  id: number;
  name: string;
  members: string[];
}

export const ORGANISATION = { login: 'acme', id: 9_910_001, name: 'ACME' };

/**
 * The accounts of the demo (examples/org.yaml has the same people). The
 * integration's own identity, `stagecraft-bot`, is a member of both teams so
 * that the portal can act on a review with the integration token.
 */
export const PEOPLE: readonly Person[] = [
  { login: 'alice', id: 9_920_001, name: 'Alice Moreau', type: 'User' },
  { login: 'bob', id: 9_920_002, name: 'Bob Okafor', type: 'User' },
  { login: 'carol', id: 9_920_003, name: 'Carol Lindqvist', type: 'User' },
  { login: 'dave', id: 9_920_004, name: 'Dave Tanaka', type: 'User' },
  { login: 'guest', id: 9_920_005, name: 'Guest', type: 'User' },
  {
    login: 'stagecraft-bot',
    id: 9_920_006,
    name: 'Stagecraft',
    type: 'User',
  },
  {
    login: 'dependabot[bot]',
    id: 49_699_333,
    name: 'dependabot[bot]',
    type: 'Bot',
  },
  {
    login: 'github-actions[bot]',
    id: 41_898_282,
    name: 'github-actions[bot]',
    type: 'Bot',
  },
];

export const TEAMS: readonly Team[] = [
  {
    slug: 'team-payments',
    id: 9_930_001,
    name: 'Team Payments',
    members: ['alice', 'bob', 'guest', 'stagecraft-bot'],
  },
  {
    slug: 'team-storefront',
    id: 9_930_002,
    name: 'Team Storefront',
    members: ['carol', 'dave', 'stagecraft-bot'],
  },
];

/** The account Actions-created deployments are attributed to. */
export const ACTIONS_BOT = 'github-actions[bot]';
export const DEPENDABOT = 'dependabot[bot]';
/** Who an unrecognised token authenticates as. */
export const DEFAULT_IDENTITY = 'stagecraft-bot';

export function findPerson(login: string): Person | undefined {
  return PEOPLE.find(p => p.login.toLowerCase() === login.toLowerCase());
}

export function person(login: string): Person {
  const found = findPerson(login);
  if (!found) throw new Error(`Unknown sandbox account '${login}'`);
  return found;
}

export function findTeam(slug: string): Team | undefined {
  return TEAMS.find(t => t.slug === slug);
}

export function team(slug: string): Team {
  const found = findTeam(slug);
  if (!found) throw new Error(`Unknown sandbox team '${slug}'`);
  return found;
}
