import request from 'supertest';
import {
  ALICE,
  BOB,
  ENTITY_REF,
  BASE,
  S1,
  S2,
  S3,
  denyOnly,
  startDeployments,
  as,
  idempotencyKey,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe('deployments router', () => {
  describe('audit', () => {
    type Started = Awaited<ReturnType<typeof startDeployments>>;
    const A_SHA = expect.stringMatching(/^[0-9a-f]{40}$/);
    const act = (
      { server }: Started,
      user: string,
      action: 'promote' | 'rollback' | 'approve' | 'reject',
      body: object,
    ) =>
      request(server)
        .post(`${BASE}/${action}`)
        .set(as(user))
        .set('Idempotency-Key', idempotencyKey())
        .send(body);
    /** Alice asks to promote v1.1.0 into production; it waits for an approval. */
    const pendingProduction = async (started: Started) => {
      const held = await act(started, ALICE, 'promote', {
        environment: 'production',
        comment: 'release 1.1',
      });
      expect(held.status).toBe(202);
      return `stagecraft:${held.body.request.id}`;
    };

    it.each<{
      rule: string;
      status: number;
      deny?: string;
      /** Set where nothing names a version (a roll back with nothing to roll back to). */
      noVersion?: true;
      refuse: (started: Started) => Promise<request.Response>;
    }>([
      {
        rule: 'permission',
        status: 403,
        deny: 'deployments.promote',
        refuse: started =>
          act(started, ALICE, 'promote', { environment: 'staging' }),
      },
      {
        rule: 'permission',
        status: 403,
        deny: 'deployments.approve',
        refuse: async started =>
          act(started, BOB, 'approve', {
            gateId: await pendingProduction(started),
            comment: 'lgtm',
          }),
      },
      {
        rule: 'promotion-order',
        status: 422,
        refuse: started =>
          act(started, ALICE, 'promote', {
            environment: 'production',
            version: S3,
          }),
      },
      {
        rule: 'nothing-to-promote',
        status: 422,
        refuse: started =>
          act(started, ALICE, 'promote', {
            environment: 'staging',
            version: S2,
          }),
      },
      {
        rule: 'nothing-to-promote',
        status: 422,
        noVersion: true,
        refuse: started =>
          act(started, ALICE, 'rollback', { environment: 'production' }),
      },
      {
        rule: 'no-self-approval',
        status: 422,
        refuse: async started =>
          act(started, ALICE, 'approve', {
            gateId: await pendingProduction(started),
            comment: 'lgtm',
          }),
      },
      {
        rule: 'comment-required',
        status: 422,
        refuse: async started =>
          act(started, BOB, 'reject', {
            gateId: await pendingProduction(started),
            comment: ' ',
          }),
      },
      {
        rule: 'one-at-a-time',
        status: 409,
        refuse: async started => {
          await pendingProduction(started);
          return act(started, BOB, 'promote', { environment: 'production' });
        },
      },
      {
        rule: 'decided-once',
        status: 409,
        refuse: async started => {
          const gateId = await pendingProduction(started);
          await act(started, BOB, 'reject', { gateId, comment: 'freeze' });
          return act(started, BOB, 'approve', { gateId, comment: 'lgtm' });
        },
      },
    ])(
      'names the rule $rule in a $status refusal and audits it',
      async ({ rule, status, deny, noVersion, refuse }) => {
        const started = await startDeployments({
          permissions: deny ? denyOnly(deny) : undefined,
        });
        const response = await refuse(started);
        expect(response.status).toBe(status);
        expect(response.body.checks).toContainEqual(
          expect.objectContaining({ rule, passed: false }),
        );
        const [latest] = (
          await started.store.listAudit(ENTITY_REF, {}, { limit: 1 })
        ).entries;
        expect(latest).toMatchObject({
          outcome: 'refused',
          actor: expect.stringMatching(/^user:default\//),
          environment: expect.any(String),
        });
        expect(latest.version?.sha).toEqual(noVersion ? undefined : A_SHA);
        expect(latest.detail).toContain(
          rule === 'permission' ? `${deny} is not allowed` : `${rule}: `,
        );
        expect(started.provider.promoteCalls).toHaveLength(0);
      },
    );

    it('records who acted, through which identity, with what comment, version, environment and time, for each outcome', async () => {
      const started = await startDeployments();
      const since = new Date().toISOString();
      const gateId = await pendingProduction(started);
      await act(started, ALICE, 'approve', { gateId, comment: 'my own' });
      await act(started, BOB, 'approve', { gateId, comment: 'checked' });
      const second = await act(started, ALICE, 'promote', {
        environment: 'staging',
        comment: 'dev build',
      });
      expect(second.status).toBe(200);
      await act(started, BOB, 'rollback', {
        environment: 'staging',
        comment: 'undo',
      });
      started.provider.failures.promote = new Error('runner offline');
      await act(started, BOB, 'rollback', {
        environment: 'dev',
        comment: 'try again',
      });
      const held = await act(started, BOB, 'promote', {
        environment: 'production',
        comment: 'next',
      });
      await act(started, ALICE, 'reject', {
        gateId: `stagecraft:${held.body.request.id}`,
        comment: 'not today',
      });

      const { entries } = await started.store.listAudit(
        ENTITY_REF,
        {},
        { limit: 20 },
      );
      // The test provider adds no deployments: the ledger stays as it was.
      const v0 = expect.objectContaining({ sha: S1, tag: 'v1.0.0' });
      const v1 = expect.objectContaining({ sha: S2, tag: 'v1.1.0' });
      const v2 = expect.objectContaining({ sha: S3, tag: 'v1.2.0' });
      const row = (fields: object) =>
        expect.objectContaining({ at: expect.any(String), ...fields });
      expect(entries.reverse()).toEqual([
        row({
          outcome: 'requested',
          actor: ALICE,
          environment: 'production',
          version: v1,
          comment: 'release 1.1',
          requestId: expect.any(String),
        }),
        row({
          outcome: 'refused',
          actor: ALICE,
          environment: 'production',
          version: v1,
          comment: 'my own',
          detail: expect.stringContaining('no-self-approval'),
        }),
        row({
          outcome: 'approved',
          actor: BOB,
          environment: 'production',
          version: v1,
          comment: 'checked',
        }),
        row({
          outcome: 'executed',
          actor: BOB,
          environment: 'production',
          version: v1,
          comment: 'release 1.1',
          providerIdentity: 'test-app',
        }),
        row({
          outcome: 'executed',
          actor: ALICE,
          environment: 'staging',
          version: v2,
          comment: 'dev build',
          providerIdentity: 'test-app',
        }),
        row({
          outcome: 'executed',
          action: 'rollback',
          actor: BOB,
          environment: 'staging',
          version: v0,
          comment: 'undo',
          providerIdentity: 'test-app',
        }),
        row({
          outcome: 'failed',
          action: 'rollback',
          actor: BOB,
          environment: 'dev',
          version: v1,
          comment: 'try again',
          detail: 'test: runner offline',
        }),
        row({
          outcome: 'requested',
          actor: BOB,
          environment: 'production',
          version: v1,
          comment: 'next',
        }),
        row({
          outcome: 'rejected',
          actor: ALICE,
          environment: 'production',
          version: v1,
          comment: 'not today',
        }),
      ]);
      for (const entry of entries) {
        expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(
          Date.parse(since) - 1000,
        );
      }
    });

    it('pages the audit log as JSON and exports it as CSV', async () => {
      const { server } = await startDeployments();
      for (const comment of ['first', '=HYPERLINK("evil")']) {
        await request(server)
          .post(`${BASE}/promote`)
          .set(as(ALICE))
          .set('Idempotency-Key', idempotencyKey())
          .send({ environment: 'production', version: S3, comment });
      }
      const page = await request(server)
        .get(`${BASE}/audit?limit=1&outcome=refused`)
        .set(as(BOB));
      expect(page.status).toBe(200);
      expect(page.body.entries).toHaveLength(1);
      expect(page.body.entries[0].comment).toBe('=HYPERLINK("evil")');
      expect(page.body.nextCursor).toEqual(expect.any(String));

      const csv = await request(server)
        .get(`${BASE}/audit?format=csv`)
        .set(as(BOB));
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe(
        'at,entity,environment,action,outcome,actor,provider_identity,version_sha,version_tag,comment,request_id,detail',
      );
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(`'=HYPERLINK(""evil"")`);
      expect(lines[2]).toContain(`${ENTITY_REF},production,promote,refused`);
    });
  });
});
