import { PlannedChange, nextVersion, planFiles } from './changes';
import { CommitRecord, PullRecord, RepositoryRecord, TagRecord } from './model';
import { World } from './World';

const HOUR = 3_600_000;

/** What a merged pull request left on main. */
export interface LandedChange {
  head: CommitRecord;
  pull: PullRecord;
  tag: TagRecord;
}

/**
 * Merges a pull request into main at the world's current time: its commits
 * (squashed into one "Title (#N)" commit, or kept and joined by a "Merge pull
 * request #N" commit), and cuts the next semantic-version tag on the result.
 */
export function landChange(
  world: World,
  repository: RepositoryRecord,
  change: PlannedChange,
): LandedChange {
  const { random } = world;
  const definition = world.definitionOf(repository);
  const now = world.now();
  const base = world.headCommit(repository);
  const lastPull = repository.pulls[repository.pulls.length - 1];
  const number = (lastPull?.number ?? random.int(40, 180)) + random.int(1, 3);
  const openedAt = Math.max(
    base.date + 60_000,
    now - random.int(1, change.kind === 'hotfix' ? 2 : 48) * HOUR,
  );
  const commitTime = (i: number, of: number) =>
    Math.floor(openedAt + ((now - 60_000 - openedAt) * (i + 1)) / (of + 1));

  let head: CommitRecord;
  let pullHead: string;
  if (change.mergeStyle === 'squash') {
    head = {
      sha: random.sha(),
      treeSha: random.sha(),
      message: `${change.title} (#${number})\n\n${change.body}`,
      author: change.author,
      committer: change.merger,
      date: now,
      parents: [base.sha],
      files: planFiles(random, definition, change),
      pullNumber: number,
    };
    pullHead = random.sha();
    world.appendCommit(repository, head);
  } else {
    let parent = base.sha;
    const files = new Map<string, CommitRecord['files'][number]>();
    change.commitMessages.forEach((message, i) => {
      const commit: CommitRecord = {
        sha: random.sha(),
        treeSha: random.sha(),
        message,
        author: change.author,
        committer: change.author,
        date: commitTime(i, change.commitMessages.length),
        parents: [parent],
        files: planFiles(random, definition, change),
        pullNumber: number,
      };
      world.appendCommit(repository, commit);
      for (const file of commit.files) files.set(file.filename, file);
      parent = commit.sha;
    });
    pullHead = parent;
    head = {
      sha: random.sha(),
      treeSha: random.sha(),
      message: `Merge pull request #${number} from ${repository.owner}/${change.branch}\n\n${change.title}`,
      author: change.merger,
      committer: change.merger,
      date: now,
      parents: [base.sha, pullHead],
      // What the merge brings to main: the pull request's files combined.
      files: [...files.values()],
      pullNumber: number,
    };
    world.appendCommit(repository, head);
  }

  const pull: PullRecord = {
    number,
    id: world.nextId('pull'),
    title: change.title,
    body: change.body,
    author: change.author,
    headRef: change.branch,
    headSha: pullHead,
    baseSha: base.sha,
    createdAt: openedAt,
    mergedAt: now,
    mergeCommitSha: head.sha,
    labels: change.labels,
  };
  repository.pulls.push(pull);

  const latestTag = repository.tags[repository.tags.length - 1];
  const tag: TagRecord = {
    name: nextVersion(latestTag?.name ?? 'v1.0.0', change.kind),
    sha: head.sha,
    createdAt: now,
  };
  repository.tags.push(tag);
  return { head, pull, tag };
}
