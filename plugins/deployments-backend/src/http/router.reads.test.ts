import request from 'supertest';
import {
  ALICE,
  ENTITY_REF,
  BASE,
  S1,
  S2,
  S3,
  startDeployments,
  as,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe('deployments router', () => {
  describe('reads', () => {
    it('lists the environment lanes in promotion order with what runs there', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(response.status).toBe(200);
      const lanes = response.body.environments;
      expect(lanes.map((lane: any) => lane.name)).toEqual([
        'dev',
        'staging',
        'production',
      ]);
      expect(lanes.map((lane: any) => lane.current?.version.sha)).toEqual([
        S3,
        S2,
        S1,
      ]);
      expect(lanes.map((lane: any) => lane.requiresApproval)).toEqual([
        false,
        false,
        true,
      ]);
      expect(lanes[1].behindPrevious).toEqual({ days: 3 });
      expect(lanes[0].behindPrevious).toBeUndefined();
    });

    it('keeps the last known lanes when the provider fails, and says how stale they are', async () => {
      const { server, store, provider } = await startDeployments();
      const lastSuccessAt = new Date(Date.now() - 60 * 60 * 1000);
      await store.recordSyncSuccess({
        entityRef: ENTITY_REF,
        provider: provider.id,
        targetKey: 'acme/payments-api',
        at: lastSuccessAt,
      });
      await store.recordSyncFailure({
        entityRef: ENTITY_REF,
        provider: provider.id,
        targetKey: 'acme/payments-api',
        error: 'test answered 502 while syncing acme/payments-api',
        at: new Date(),
      });
      const response = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(response.status).toBe(200);
      expect(
        response.body.environments.map((l: any) => l.current?.version.sha),
      ).toEqual([S3, S2, S1]);
      expect(response.body.sync).toEqual([
        expect.objectContaining({
          provider: provider.id,
          stale: true,
          lastSuccessAt: lastSuccessAt.toISOString(),
          lastError: 'test answered 502 while syncing acme/payments-api',
        }),
      ]);
    });

    it('answers 404 for an entity the catalog does not return', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .get('/api/deployments/entities/component/default/nowhere/environments')
        .set(as(ALICE));
      expect(response.status).toBe(404);
      expect(response.body.error.message).toContain(
        'component:default/nowhere',
      );
    });

    it('answers an entity without provider annotations with empty data and the reason', async () => {
      const { server } = await startDeployments();
      const lanes = await request(server)
        .get(
          '/api/deployments/entities/component/default/docs-site/environments',
        )
        .set(as(ALICE));
      expect(lanes.status).toBe(200);
      expect(lanes.body.environments).toEqual([]);
      expect(lanes.body.reason).toContain('test');
      const timeline = await request(server)
        .get('/api/deployments/entities/component/default/docs-site/timeline')
        .set(as(ALICE));
      expect(timeline.status).toBe(200);
      expect(timeline.body.rows).toEqual([]);
      expect(timeline.body.reason).toBeDefined();
    });

    it('pages the timeline with a cursor and filters environments', async () => {
      const { server } = await startDeployments();
      const first = await request(server)
        .get(`${BASE}/timeline?limit=2`)
        .set(as(ALICE));
      expect(first.status).toBe(200);
      expect(first.body.environments).toEqual(['dev', 'staging', 'production']);
      expect(first.body.rows.map((row: any) => row.version.sha)).toEqual([
        S3,
        S2,
      ]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await request(server)
        .get(
          `${BASE}/timeline?limit=2&cursor=${encodeURIComponent(
            first.body.nextCursor,
          )}`,
        )
        .set(as(ALICE));
      expect(second.body.rows.map((row: any) => row.version.sha)).toEqual([S1]);
      expect(second.body.nextCursor).toBeUndefined();

      const production = await request(server)
        .get(`${BASE}/timeline?environment=production`)
        .set(as(ALICE));
      expect(production.body.environments).toEqual(['production']);
      expect(production.body.rows[0].cells.production.state).toBe('success');
    });
  });

  describe('diff', () => {
    const comparison = {
      status: 'ahead' as const,
      aheadBy: 2,
      behindBy: 0,
      totalCommits: 2,
      commits: [],
      files: [],
      additions: 10,
      deletions: 3,
    };

    it('compares two environments through the provider once, then from the cache', async () => {
      const { server, provider } = await startDeployments();
      provider.comparisons.set(`${S2}...${S3}`, comparison);
      for (let i = 0; i < 2; i++) {
        const response = await request(server)
          .get(`${BASE}/diff?from=staging&to=dev`)
          .set(as(ALICE));
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({
          entityRef: ENTITY_REF,
          from: { ref: 'staging', sha: S2 },
          to: { ref: 'dev', sha: S3 },
          aheadBy: 2,
        });
      }
      expect(provider.compareCalls).toEqual([{ fromSha: S2, toSha: S3 }]);

      const lanes = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(lanes.body.environments[1].behindPrevious).toEqual({
        commits: 2,
        days: 3,
      });
    });

    it('resolves versions by tag', async () => {
      const { server, provider } = await startDeployments();
      provider.comparisons.set(`${S1}...${S3}`, comparison);
      const response = await request(server)
        .get(`${BASE}/diff?from=v1.0.0&to=v1.2.0`)
        .set(as(ALICE));
      expect(response.status).toBe(200);
      expect(response.body.from).toEqual({ ref: 'v1.0.0', sha: S1 });
    });

    it('names an unknown version', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .get(`${BASE}/diff?from=staging&to=v9.9.9`)
        .set(as(ALICE));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain("to 'v9.9.9'");
    });

    it('answers 502 with a message when the provider fails, never a 500', async () => {
      const { server, provider } = await startDeployments();
      provider.failures.compare = new Error('upstream exploded');
      const response = await request(server)
        .get(`${BASE}/diff?from=staging&to=dev`)
        .set(as(ALICE));
      expect(response.status).toBe(502);
      expect(response.body.error.message).toContain('upstream exploded');
      expect(response.body.error.stack).toBeUndefined();
    });
    it('answers 503 with a message when the provider is rate-limited', async () => {
      const { server, provider } = await startDeployments();
      provider.failures.compare = Object.assign(
        new Error('API rate limit exceeded'),
        { status: 429 },
      );
      const response = await request(server)
        .get(`${BASE}/diff?from=staging&to=dev`)
        .set(as(ALICE));
      expect(response.status).toBe(503);
      expect(response.body.error.message).toContain('API rate limit exceeded');
      expect(response.body.error.stack).toBeUndefined();
    });

    it('answers 502 when the provider fails to resolve a version, never a 500', async () => {
      const { server, provider } = await startDeployments();
      provider.failures.resolve = new Error('connect ECONNRESET');
      const response = await request(server)
        .get(`${BASE}/diff?from=staging&to=v2.0.0`)
        .set(as(ALICE));
      expect(response.status).toBe(502);
      expect(response.body.error.message).toBe(
        "test could not resolve 'v2.0.0': connect ECONNRESET",
      );
    });
  });
});
