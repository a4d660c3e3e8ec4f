import {
  canonicalChangeSet,
  releaseEvidenceFileName,
  releaseEvidenceMarkdown,
} from './evidence';
import type { ReleaseEvidence } from './types';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

const evidence: ReleaseEvidence = {
  schema: 'stagecraft.release-evidence/v1',
  id: '7',
  auditId: '42',
  entityRef: 'component:default/payments-api',
  action: 'approve',
  outcome: 'approved',
  environment: 'production',
  version: { sha: SHA_B, tag: 'v1.41.2' },
  actor: 'user:default/bob',
  comment: 'looks *fine*',
  recordedAt: '2026-12-01T10:00:00.000Z',
  checks: [
    { rule: 'no-self-approval', passed: true, message: 'bob did not ask' },
  ],
  gate: {
    kind: 'provider',
    id: 'github:99',
    provider: 'github',
    environment: 'production',
    reviewers: [{ type: 'team', name: 'sre-team' }],
    rule: 'the reviewers of the gate',
    decision: 'approved',
    decidedBy: 'user:default/bob',
  },
  changes: {
    status: 'available',
    from: { ref: 'production', sha: SHA_A },
    to: { ref: 'v1.41.2', sha: SHA_B },
    comparison: 'ahead',
    aheadBy: 1,
    behindBy: 0,
    totalCommits: 1,
    commits: [
      {
        sha: SHA_B,
        message: 'Fix <script> | rounding\nsecond line',
        author: 'Eve',
        date: '2026-11-30T09:00:00Z',
        // Not a web link: never rendered as one.
        url: ['javascript', 'alert(1)'].join(':'),
      },
    ],
    pullRequests: [],
    truncated: false,
    hash: {
      algorithm: 'sha256',
      canonicalization: 'stagecraft-change-set/v1',
      value: 'f'.repeat(64),
    },
  },
};

describe('canonicalChangeSet', () => {
  it('is the same whatever the order of commits, pull requests and keys', () => {
    const one = canonicalChangeSet({
      commits: [
        { sha: SHA_B, message: 'b', author: 'x', date: 'd' },
        { sha: SHA_A, message: 'a', author: 'y', date: 'd', pullRequest: 3 },
      ],
      pullRequests: [
        { number: 5, title: 't5', author: 'x', url: 'u5', commits: [SHA_B] },
        {
          number: 3,
          title: 't3',
          author: 'y',
          url: 'u3',
          commits: [SHA_B, SHA_A],
        },
      ],
    });
    const other = canonicalChangeSet({
      pullRequests: [
        {
          url: 'u3',
          commits: [SHA_A, SHA_B],
          title: 't3',
          number: 3,
          author: 'y',
        },
        { commits: [SHA_B], number: 5, author: 'x', title: 't5', url: 'u5' },
      ],
      commits: [
        { pullRequest: 3, date: 'd', author: 'y', message: 'a', sha: SHA_A },
        { date: 'd', author: 'x', message: 'b', sha: SHA_B },
      ],
    });
    expect(one).toBe(other);
    expect(one.startsWith(`{"commits":[{"author":"y","date":"d"`)).toBe(true);
    expect(one).not.toMatch(/\s/);
  });

  it('changes when any commit changes', () => {
    const base = {
      commits: [{ sha: SHA_A, message: 'a', author: 'y', date: 'd' }],
      pullRequests: [],
    };
    expect(canonicalChangeSet(base)).not.toBe(
      canonicalChangeSet({
        ...base,
        commits: [{ ...base.commits[0], message: 'a!' }],
      }),
    );
  });
});

describe('releaseEvidenceMarkdown', () => {
  it('says who did what, when, with the checks, the gate and the hash', () => {
    const markdown = releaseEvidenceMarkdown(evidence);
    expect(markdown).toContain(
      '# Release evidence: payments-api approve to production',
    );
    expect(markdown).toContain('| Who | user:default/bob |');
    expect(markdown).toContain(
      '| no-self-approval | passed | bob did not ask |',
    );
    expect(markdown).toContain('| Reviewers | sre-team (team) |');
    expect(markdown).toContain('| Decision | approved |');
    expect(markdown).toContain('f'.repeat(64));
  });

  it('escapes what people wrote: no HTML, no table breaks, no script links', () => {
    const markdown = releaseEvidenceMarkdown(evidence);
    expect(markdown).toContain('| looks \\*fine\\* |');
    expect(markdown).toContain('Fix \\<script\\> \\| rounding second line');
    expect(markdown).not.toContain(['javascript', ''].join(':'));
  });

  it('gives the reason when the changes are unavailable', () => {
    const markdown = releaseEvidenceMarkdown({
      ...evidence,
      changes: {
        status: 'unavailable',
        to: { ref: 'v1.41.2', sha: SHA_B },
        reason: 'nothing has succeeded in production yet',
      },
    });
    expect(markdown).toContain(
      '**Changes unavailable.** nothing has succeeded in production yet',
    );
    expect(markdown).toContain('None: the change set is unavailable.');
  });
});

describe('releaseEvidenceFileName', () => {
  it('names the entity, environment, short SHA and audit entry', () => {
    expect(releaseEvidenceFileName(evidence, 'json')).toBe(
      'release-evidence-payments-api-production-bbbbbbb-42.json',
    );
  });
});
