import type {
  ChangeDiff,
  Deployment,
  DeploymentsApi,
  EnvironmentSummary,
  EnvironmentsResponse,
  PendingGate,
  TimelineRow,
} from '@stagecraft/plugin-deployments-common';

/** Builders of realistic domain values for the component tests. */

export const ENTITY_REF = 'component:default/payments-api';

export function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

export function aDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'github:812',
    provider: 'github',
    providerDeploymentId: '812',
    entityRef: ENTITY_REF,
    environment: 'dev',
    version: {
      sha: '9f3c2ab4d5e6f708192a3b4c5d6e7f8091a2b3c4',
      tag: 'v1.42.0',
      url: 'https://github.com/acme/payments-api/releases/tag/v1.42.0',
    },
    state: 'success',
    statuses: [],
    createdAt: minutesAgo(20),
    updatedAt: minutesAgo(14),
    finishedAt: minutesAgo(14),
    triggeredBy: 'alice',
    url: 'https://github.com/acme/payments-api/actions/runs/812',
    urlLabel: 'run #812',
    ...overrides,
  };
}

export function aGate(overrides: Partial<PendingGate> = {}): PendingGate {
  return {
    id: 'github:run-809:production',
    kind: 'provider',
    provider: 'github',
    entityRef: ENTITY_REF,
    environment: 'production',
    version: {
      sha: '77d01e4aaaabbbbccccddddeeeeffff000011112',
      tag: 'v1.41.2',
    },
    reviewers: [
      { type: 'team', name: 'team-payments' },
      { type: 'user', name: 'alice' },
    ],
    since: minutesAgo(12),
    waitTimerMinutes: 5,
    requestedBy: 'bob',
    ...overrides,
  };
}

export function anEnvironment(
  overrides: Partial<EnvironmentSummary> = {},
): EnvironmentSummary {
  return {
    name: 'dev',
    position: 0,
    pendingGates: [],
    requiresApproval: false,
    ...overrides,
  };
}

/** dev → staging → production, with v1.41.2 waiting at production's gate. */
export function threeLanes(): EnvironmentsResponse {
  return {
    entityRef: ENTITY_REF,
    sync: [{ provider: 'github', stale: false, lastSuccessAt: minutesAgo(1) }],
    environments: [
      anEnvironment({
        name: 'dev',
        position: 0,
        current: aDeployment(),
      }),
      anEnvironment({
        name: 'staging',
        position: 1,
        current: aDeployment({
          id: 'github:809',
          providerDeploymentId: '809',
          environment: 'staging',
          version: {
            sha: '77d01e4aaaabbbbccccddddeeeeffff000011112',
            tag: 'v1.41.2',
          },
          triggeredBy: 'ci-bot',
          finishedAt: minutesAgo(120),
          updatedAt: minutesAgo(120),
        }),
        behindPrevious: { commits: 3, days: 1 },
      }),
      anEnvironment({
        name: 'production',
        position: 2,
        requiresApproval: true,
        current: aDeployment({
          id: 'github:790',
          providerDeploymentId: '790',
          environment: 'production',
          version: {
            sha: '1a2b3c4ddddeeeeffff00001111222233334444',
            tag: 'v1.40.0',
          },
          triggeredBy: 'carol',
          strategy: { type: 'canary', trafficPercent: 10 },
          finishedAt: minutesAgo(3 * 24 * 60),
          updatedAt: minutesAgo(3 * 24 * 60),
        }),
        behindPrevious: { commits: 7, days: 3 },
        pendingGates: [aGate()],
      }),
    ],
  };
}

export function aDiff(overrides: Partial<ChangeDiff> = {}): ChangeDiff {
  return {
    entityRef: ENTITY_REF,
    from: { ref: 'production', sha: '1a2b3c4ddddeeeeffff00001111222233334444' },
    to: { ref: 'staging', sha: '77d01e4aaaabbbbccccddddeeeeffff000011112' },
    status: 'ahead',
    aheadBy: 2,
    behindBy: 0,
    totalCommits: 2,
    commits: [
      {
        sha: '3f9e1c0aaaabbbbccccddddeeeeffff000011112',
        message: 'Retry idempotent payment captures',
        author: 'Bob Builder',
        authorLogin: 'bob',
        date: minutesAgo(2 * 24 * 60),
        url: 'https://github.com/acme/payments-api/commit/3f9e1c0',
        pullRequest: {
          number: 231,
          title: 'Retry idempotent payment captures',
          url: 'https://github.com/acme/payments-api/pull/231',
        },
      },
      {
        sha: '8c21aa9aaaabbbbccccddddeeeeffff000011112',
        message: 'Bump boto3 to 1.35',
        author: 'dependabot[bot]',
        date: minutesAgo(3 * 24 * 60),
      },
    ],
    files: [
      {
        filename: 'src/payments/capture.py',
        status: 'modified',
        additions: 40,
        deletions: 6,
      },
      {
        filename: 'requirements.txt',
        status: 'modified',
        additions: 1,
        deletions: 1,
      },
    ],
    additions: 41,
    deletions: 7,
    ...overrides,
  };
}

export function aTimelineRow(
  sha: string,
  tag: string,
  cells: TimelineRow['cells'],
): TimelineRow {
  return {
    version: { sha, tag, message: `Release ${tag}` },
    firstSeenAt: minutesAgo(60),
    cells,
  };
}

/**
 * A fake of the REST client. The secondary lists (timeline, audit) answer
 * empty; every other method fails loudly unless the test gives it, so a test
 * never depends on a call it did not mean to allow.
 */
export function fakeDeploymentsApi(
  methods: Partial<DeploymentsApi> = {},
): DeploymentsApi {
  const notFaked = (name: string) => () =>
    Promise.reject(new Error(`${name} is not faked in this test`));
  return {
    getEnvironments: notFaked('getEnvironments'),
    getTimeline: async () => ({
      entityRef: ENTITY_REF,
      environments: [],
      rows: [],
    }),
    getDiff: notFaked('getDiff'),
    getAudit: async () => ({ entries: [] }),
    getAuditCsv: notFaked('getAuditCsv'),
    getApprovals: notFaked('getApprovals'),
    promote: notFaked('promote'),
    rollback: notFaked('rollback'),
    approve: notFaked('approve'),
    reject: notFaked('reject'),
    ...methods,
  };
}
