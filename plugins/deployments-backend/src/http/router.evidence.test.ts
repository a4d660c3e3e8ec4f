import { createHash } from 'node:crypto';
import {
  canonicalChangeSet,
  type ReleaseEvidence,
} from '@stagecraft/plugin-deployments-common';
import type { ProviderComparison } from '@stagecraft/plugin-deployments-node';
import request from 'supertest';
import {
  databases,
  ALICE,
  BOB,
  ENTITY_REF,
  BASE,
  S1,
  S2,
  S3,
  TAGS,
  daysAgo,
  startDeployments,
  as,
  idempotencyKey,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

const C1 = `${'c'.repeat(39)}1`;
const C2 = `${'c'.repeat(39)}2`;

/** What production (v1.0.0) lacks of v1.1.0: two commits, one of them from PR #12. */
const productionToV110: ProviderComparison = {
  status: 'ahead',
  aheadBy: 2,
  behindBy: 0,
  totalCommits: 2,
  commits: [
    {
      sha: S2,
      message: 'Retry idempotent captures (#12)',
      author: 'Bob Builder',
      authorLogin: 'bob',
      date: '2026-11-20T10:00:00Z',
      url: `https://github.com/acme/payments-api/commit/${S2}`,
      pullRequest: {
        number: 12,
        title: 'Retry idempotent captures',
        url: 'https://github.com/acme/payments-api/pull/12',
      },
    },
    {
      sha: C1,
      message: 'Bump boto3 | pin <1.36>',
      author: 'Carol',
      date: '2026-11-19T10:00:00Z',
    },
  ],
  files: [],
  additions: 10,
  deletions: 2,
  url: `https://github.com/acme/payments-api/compare/${S1}...${S2}`,
};

type Started = Awaited<ReturnType<typeof startDeployments>>;

const act = (
  { server }: Started,
  user: string,
  action: 'promote' | 'approve' | 'reject',
  body: object,
  key = idempotencyKey(),
) =>
  request(server)
    .post(`${BASE}/${action}`)
    .set(as(user))
    .set('Idempotency-Key', key)
    .send(body);

const auditEntries = async ({ server }: Started) => {
  const response = await request(server).get(`${BASE}/audit`).set(as(ALICE));
  expect(response.status).toBe(200);
  return response.body.entries as Array<{
    id: string;
    action: string;
    outcome: string;
    evidenceId?: string;
  }>;
};

const evidenceOf = ({ server }: Started, auditId: string, query = '') =>
  request(server)
    .get(`${BASE}/audit/${auditId}/evidence${query}`)
    .set(as(ALICE));

describe.each(databases.eachSupportedId())(
  'release evidence on %p',
  databaseId => {
    it('records what a held promotion and its approval ship, and serves it as JSON', async () => {
      const started = await startDeployments({ databaseId });
      started.provider.comparisons.set(`${S1}...${S2}`, productionToV110);

      const held = await act(started, ALICE, 'promote', {
        environment: 'production',
        comment: 'release 1.1',
      });
      expect(held.status).toBe(202);
      const requestId = held.body.request.id;
      const approved = await act(started, BOB, 'approve', {
        gateId: `stagecraft:${requestId}`,
        comment: 'canary looked fine',
      });
      expect(approved.status).toBe(200);

      const entries = await auditEntries(started);
      expect(
        entries.map(e => [e.action, e.outcome, Boolean(e.evidenceId)]),
      ).toEqual([
        ['promote', 'executed', false],
        ['approve', 'approved', true],
        ['promote', 'requested', true],
      ]);

      const requested = await evidenceOf(started, entries[2].id);
      expect(requested.status).toBe(200);
      const evidence: ReleaseEvidence = requested.body;
      expect(evidence).toMatchObject({
        schema: 'stagecraft.release-evidence/v1',
        id: entries[2].evidenceId,
        auditId: entries[2].id,
        requestId,
        entityRef: ENTITY_REF,
        action: 'promote',
        outcome: 'requested',
        environment: 'production',
        version: { sha: S2, tag: 'v1.1.0' },
        actor: ALICE,
        comment: 'release 1.1',
        gate: {
          kind: 'portal',
          id: `stagecraft:${requestId}`,
          provider: 'stagecraft',
          environment: 'production',
          requestedBy: ALICE,
        },
        changes: {
          status: 'available',
          from: { ref: 'production', sha: S1 },
          to: { ref: 'v1.1.0', sha: S2 },
          comparison: 'ahead',
          totalCommits: 2,
          truncated: false,
          commits: [
            { sha: S2, author: 'Bob Builder', pullRequest: 12 },
            { sha: C1, author: 'Carol' },
          ],
          pullRequests: [
            {
              number: 12,
              title: 'Retry idempotent captures',
              author: 'bob',
              url: 'https://github.com/acme/payments-api/pull/12',
              commits: [S2],
            },
          ],
        },
      });
      expect(evidence.gate.decision).toBeUndefined();
      expect(evidence.checks.map(c => [c.rule, c.passed])).toEqual(
        expect.arrayContaining([
          ['permission', true],
          ['approval-required', true],
          ['promotion-order', true],
        ]),
      );
      // A reviewer can recompute the hash from the evidence itself.
      if (evidence.changes.status !== 'available')
        throw new Error('no changes');
      expect(evidence.changes.hash).toEqual({
        algorithm: 'sha256',
        canonicalization: 'stagecraft-change-set/v1',
        value: createHash('sha256')
          .update(canonicalChangeSet(evidence.changes))
          .digest('hex'),
      });

      const approval = (await evidenceOf(started, entries[1].id)).body;
      expect(approval).toMatchObject({
        action: 'approve',
        outcome: 'approved',
        actor: BOB,
        requestId,
        gate: {
          kind: 'portal',
          requestedBy: ALICE,
          decision: 'approved',
          decidedBy: BOB,
          decisionComment: 'canary looked fine',
        },
        changes: { status: 'available', hash: evidence.changes.hash },
      });
    });
  },
);

describe('release evidence', () => {
  it('records a promotion without a gate once, however often the request is retried', async () => {
    const started = await startDeployments();
    started.provider.comparisons.set(`${S2}...${S3}`, {
      ...productionToV110,
      commits: [{ ...productionToV110.commits[1], sha: C2 }],
      totalCommits: 5,
    });
    const key = idempotencyKey();
    const body = { environment: 'staging', comment: 'to staging' };
    expect((await act(started, ALICE, 'promote', body, key)).status).toBe(200);
    const replay = await act(started, ALICE, 'promote', body, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const entries = await auditEntries(started);
    expect(entries.map(e => [e.outcome, Boolean(e.evidenceId)])).toEqual([
      ['executed', true],
    ]);
    const [{ n }] = await started.knex('release_evidence').count({ n: '*' });
    expect(Number(n)).toBe(1);
    const evidence = (await evidenceOf(started, entries[0].id)).body;
    expect(evidence).toMatchObject({
      outcome: 'executed',
      providerIdentity: 'test-app',
      gate: { kind: 'none', rule: 'staging needs no approval' },
      changes: { status: 'available', totalCommits: 5, truncated: true },
    });
  });

  it('records the changes as unavailable, with the reason, when the provider cannot compare; the promotion goes on', async () => {
    const started = await startDeployments();
    started.provider.failures.compare = new Error('GitHub is down');
    const promoted = await act(started, ALICE, 'promote', {
      environment: 'staging',
    });
    expect(promoted.status).toBe(200);
    expect(started.provider.promoteCalls).toHaveLength(1);

    const [entry] = await auditEntries(started);
    const evidence = (await evidenceOf(started, entry.id)).body;
    expect(evidence.changes).toEqual({
      status: 'unavailable',
      from: { ref: 'staging', sha: S2 },
      to: { ref: 'v1.2.0', sha: S3 },
      reason: expect.stringContaining('GitHub is down'),
    });
  });

  it('records what a rejection refused to ship', async () => {
    const started = await startDeployments();
    started.provider.comparisons.set(`${S1}...${S2}`, productionToV110);
    const held = await act(started, ALICE, 'promote', {
      environment: 'production',
    });
    const rejected = await act(started, BOB, 'reject', {
      gateId: `stagecraft:${held.body.request.id}`,
      comment: 'not during the sale',
    });
    expect(rejected.status).toBe(200);
    const [entry] = await auditEntries(started);
    expect(entry.outcome).toBe('rejected');
    const evidence = (await evidenceOf(started, entry.id)).body;
    expect(evidence).toMatchObject({
      action: 'reject',
      gate: { decision: 'rejected', decidedBy: BOB },
      changes: { status: 'available', totalCommits: 2 },
    });
  });

  it("records a provider gate's decision with the gate's reviewers and who decided, never the user's token", async () => {
    const started = await startDeployments();
    started.provider.comparisons.set(`${S1}...${S2}`, productionToV110);
    await started.store.openGates(ENTITY_REF, 'test', 'acme/payments-api', [
      {
        providerGateId: 'run-77:production',
        environment: 'production',
        version: { sha: S2, tag: TAGS[S2] },
        reviewers: [{ type: 'team', name: 'team-payments' }],
        since: daysAgo(0.1),
        requestedBy: 'alice',
        details: { runId: '77' },
      },
    ]);
    const approved = await request(started.server)
      .post(`${BASE}/approve`)
      .set(as(BOB))
      .set('Idempotency-Key', idempotencyKey())
      .set('X-Deployments-Provider-Token', 'ghu_secret-token-value')
      .send({ gateId: 'test:run-77:production', comment: 'healthy' });
    expect(approved.status).toBe(200);
    const [entry] = await auditEntries(started);
    const response = await evidenceOf(started, entry.id);
    expect(response.body).toMatchObject({
      action: 'approve',
      outcome: 'approved',
      actor: BOB,
      providerIdentity: 'user-token:bob',
      gate: {
        kind: 'provider',
        id: 'test:run-77:production',
        provider: 'test',
        reviewers: [{ type: 'team', name: 'team-payments' }],
        requestedBy: 'alice',
        decision: 'approved',
        decidedBy: BOB,
      },
      changes: { status: 'available', totalCommits: 2 },
    });
    expect(response.text).not.toContain('ghu_secret-token-value');
    const markdown = await evidenceOf(started, entry.id, '?format=markdown');
    expect(markdown.text).toContain('| Reviewers | team-payments (team) |');
    expect(markdown.text).not.toContain('ghu_secret-token-value');
  });

  it('records what a roll back brings back: the range runs backwards', async () => {
    const started = await startDeployments();
    started.provider.comparisons.set(`${S2}...${S1}`, {
      status: 'behind',
      aheadBy: 0,
      behindBy: 2,
      totalCommits: 0,
      commits: [],
      files: [],
      additions: 0,
      deletions: 0,
    });
    const rolledBack = await request(started.server)
      .post(`${BASE}/rollback`)
      .set(as(ALICE))
      .set('Idempotency-Key', idempotencyKey())
      .send({ environment: 'staging', comment: 'bad release' });
    expect(rolledBack.status).toBe(200);
    const [entry] = await auditEntries(started);
    expect((await evidenceOf(started, entry.id)).body).toMatchObject({
      action: 'rollback',
      outcome: 'executed',
      version: { sha: S1 },
      changes: {
        status: 'available',
        from: { ref: 'staging', sha: S2 },
        comparison: 'behind',
        behindBy: 2,
        commits: [],
      },
    });
  });

  it('serves a Markdown summary with ?format=markdown or Accept: text/markdown', async () => {
    const started = await startDeployments();
    started.provider.comparisons.set(`${S1}...${S2}`, productionToV110);
    await act(started, ALICE, 'promote', {
      environment: 'production',
      comment: 'release 1.1',
    });
    const [entry] = await auditEntries(started);
    const byQuery = await evidenceOf(started, entry.id, '?format=markdown');
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers['content-type']).toMatch(/^text\/markdown/);
    expect(byQuery.headers['content-disposition']).toContain(
      `release-evidence-payments-api-production-2222222-${entry.id}.md`,
    );
    const markdown = byQuery.text;
    expect(markdown).toContain(
      '# Release evidence: payments-api promote to production',
    );
    expect(markdown).toContain('## Policy checks');
    expect(markdown).toContain('| approval-required | passed |');
    expect(markdown).toContain('## Gate');
    expect(markdown).toContain(
      '[#12](<https://github.com/acme/payments-api/pull/12>)',
    );
    // Commit text is escaped: no table break, no HTML.
    expect(markdown).toContain('Bump boto3 \\| pin \\<1.36\\>');
    const { body: json } = await evidenceOf(started, entry.id);
    expect(markdown).toContain(json.changes.hash.value);
    expect(markdown).toContain('sha256sum');

    const byAccept = await request(started.server)
      .get(`${BASE}/audit/${entry.id}/evidence`)
      .set(as(ALICE))
      .set('Accept', 'text/markdown');
    expect(byAccept.headers['content-type']).toMatch(/^text\/markdown/);
    expect(byAccept.text).toBe(markdown);
  });

  it('answers 400 to a malformed id or query and 404 where there is no evidence', async () => {
    const started = await startDeployments();
    // A refusal records no evidence.
    await act(started, ALICE, 'promote', {
      environment: 'production',
      version: S3,
    });
    const [refused] = await auditEntries(started);
    expect(refused.outcome).toBe('refused');

    const malformed = await evidenceOf(started, 'abc');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain("auditId 'abc'");
    const badQuery = await evidenceOf(started, refused.id, '?format=pdf');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.message).toContain('format');

    const none = await evidenceOf(started, refused.id);
    expect(none.status).toBe(404);
    expect(none.body.error.message).toContain(
      `No release evidence for audit entry ${refused.id}`,
    );
    expect((await evidenceOf(started, '987654')).status).toBe(404);
  });

  it("never serves an entity's evidence under another entity", async () => {
    const started = await startDeployments();
    await act(started, ALICE, 'promote', { environment: 'staging' });
    const [entry] = await auditEntries(started);
    expect(entry.evidenceId).toBeDefined();
    const other = await request(started.server)
      .get(
        `/api/deployments/entities/component/default/docs-site/audit/${entry.id}/evidence`,
      )
      .set(as(ALICE));
    expect(other.status).toBe(404);
    const unknown = await request(started.server)
      .get(
        `/api/deployments/entities/component/default/nope/audit/${entry.id}/evidence`,
      )
      .set(as(ALICE));
    expect(unknown.status).toBe(404);
  });
});
