import { SeededRandom } from '../random';
import { DEPENDABOT } from './people';
import { RepositoryDefinition } from './repositories';
import { FileChange } from './model';

/** A change about to land on main, before SHAs and times are assigned. */
export interface PlannedChange {
  kind: 'feature' | 'fix' | 'chore' | 'dependency' | 'hotfix';
  title: string;
  body: string;
  author: string;
  /** Who presses the merge button. */
  merger: string;
  branch: string;
  /** Merge commit ("Merge pull request #N …") or one squashed commit ("… (#N)"). */
  mergeStyle: 'merge' | 'squash';
  /** Messages of the pull request's own commits. */
  commitMessages: string[];
  labels: string[];
}

const FEATURE_VERBS = ['Add', 'Support', 'Introduce', 'Expose', 'Implement'];
const FIX_VERBS = ['Fix', 'Handle', 'Retry', 'Validate', 'Guard against'];
const CHORE_VERBS = ['Refactor', 'Simplify', 'Log', 'Document', 'Tidy'];
const VERBS = { feature: FEATURE_VERBS, fix: FIX_VERBS, chore: CHORE_VERBS };
const ECOSYSTEMS: Record<RepositoryDefinition['language'], string> = {
  Python: 'pip',
  Go: 'go_modules',
  TypeScript: 'npm_and_yarn',
};
const FOLLOW_UPS = [
  'Address review comments',
  'Add tests',
  'Fix lint',
  'Rename for clarity',
  'Update snapshot',
  'Cover the error path',
];
const HOTFIX_SUBJECTS = [
  'null currency in refund webhook',
  'crash on empty basket',
  'timeout on cold start',
  'missing index on lookup',
  'wrong rounding of totals',
];

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Invents the next change of a repository: who, what, and how it is merged. */
export function planChange(
  random: SeededRandom,
  definition: RepositoryDefinition,
  options: { hotfix?: boolean } = {},
): PlannedChange {
  const author = random.pick(definition.developers);
  const reviewer = random.pick(definition.developers.filter(d => d !== author));
  if (options.hotfix) {
    const subject = random.pick(HOTFIX_SUBJECTS);
    const title = `Hotfix: ${subject}`;
    return {
      kind: 'hotfix',
      title,
      body: `Production incident follow-up. Fixes the ${subject} seen after the last release.`,
      author,
      merger: author,
      branch: `hotfix/${slug(subject)}`,
      mergeStyle: 'squash',
      commitMessages: [title],
      labels: ['hotfix'],
    };
  }
  const roll = random.next();
  if (roll < 0.12) {
    const dependency = random.pick(definition.dependencies);
    const major = random.int(1, 9);
    const from = `${major}.${random.int(0, 40)}.${random.int(0, 9)}`;
    const to = `${major}.${random.int(41, 60)}.${random.int(0, 9)}`;
    const title = `Bump ${dependency} from ${from} to ${to}`;
    const ecosystem = ECOSYSTEMS[definition.language];
    return {
      kind: 'dependency',
      title,
      body: `Bumps ${dependency} from ${from} to ${to}.`,
      author: DEPENDABOT,
      merger: reviewer,
      branch: `dependabot/${ecosystem}/${slug(dependency)}-${to}`,
      mergeStyle: 'merge',
      commitMessages: [title],
      labels: ['dependencies'],
    };
  }
  const subject = random.pick(definition.subjects);
  let kind: 'feature' | 'fix' | 'chore' = 'chore';
  if (roll < 0.5) kind = 'feature';
  else if (roll < 0.85) kind = 'fix';
  const verbs = VERBS[kind];
  const title = `${random.pick(verbs)} ${subject}`;
  const followUps = random.int(0, 2);
  const commitMessages = [title];
  for (let i = 0; i < followUps; i++)
    commitMessages.push(random.pick(FOLLOW_UPS));
  const prefix = { feature: 'feat', fix: 'fix', chore: 'chore' }[kind];
  return {
    kind,
    title,
    body: `This PR changes how we ${lowerFirst(
      title,
    )}.\n\nTested locally and in dev.`,
    author,
    merger: random.chance(0.7) ? author : reviewer,
    branch: `${prefix}/${slug(subject)}`,
    mergeStyle: random.chance(0.5) ? 'squash' : 'merge',
    commitMessages,
    labels: { feature: ['enhancement'], fix: ['bug'], chore: [] }[kind],
  };
}

/** The files one commit touches. */
export function planFiles(
  random: SeededRandom,
  definition: RepositoryDefinition,
  change: PlannedChange,
): FileChange[] {
  if (change.kind === 'dependency') {
    const manifest = definition.files.filter(f =>
      /package(-lock)?\.json|go\.(mod|sum)|requirements|template\.yaml/.test(f),
    );
    const files = manifest.length > 0 ? manifest : [definition.files[0]];
    return files.map(filename => ({
      filename,
      status: 'modified',
      additions: random.int(1, 30),
      deletions: random.int(1, 30),
    }));
  }
  const count = random.int(1, Math.min(4, definition.files.length));
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(random.pick(definition.files));
  return [...chosen].map(filename => ({
    filename,
    status: 'modified',
    additions: random.int(1, 120),
    deletions: random.int(0, 60),
  }));
}

/** The next semantic version after `version` for a change of this kind. */
export function nextVersion(version: string, kind: PlannedChange['kind']) {
  const [major, minor, patch] = version
    .replace(/^v/, '')
    .split('.')
    .map(Number);
  return kind === 'feature'
    ? `v${major}.${minor + 1}.0`
    : `v${major}.${minor}.${patch + 1}`;
}
