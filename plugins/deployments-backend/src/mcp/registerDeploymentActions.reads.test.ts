import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ALICE,
  BASE,
  BOB,
  ENTITY_REF,
  S1,
  S2,
  S3,
  as,
  databases,
  denyOnly,
  idempotencyKey,
} from '../http/__testUtils__/routerTestKit';
import { asJson, startWithRegistry } from './__testUtils__/registryTestKit';

jest.setTimeout(60_000);

describe('deployments actions in the actions registry', () => {
  it('registers four reads and four writes, each with input and output schemas', async () => {
    const { registry } = await startWithRegistry();
    const { actions } = await registry.list();
    const byName = Object.fromEntries(actions.map(a => [a.name, a]));
    expect(Object.keys(byName).sort()).toEqual([
      'approve',
      'get-change-diff',
      'get-timeline',
      'list-environments',
      'list-pending-approvals',
      'promote',
      'reject',
      'rollback',
    ]);
    for (const name of [
      'list-environments',
      'get-timeline',
      'get-change-diff',
      'list-pending-approvals',
    ]) {
      expect(byName[name].attributes).toEqual({
        readOnly: true,
        destructive: false,
        idempotent: true,
      });
    }
    for (const name of ['promote', 'rollback', 'approve', 'reject']) {
      expect(byName[name].attributes).toEqual({
        readOnly: false,
        destructive: true,
        idempotent: true,
      });
      expect(byName[name].schema.input).toMatchObject({
        type: 'object',
        required: expect.arrayContaining(['entityRef', 'idempotencyKey']),
        additionalProperties: false,
      });
      expect(byName[name].schema.output).toMatchObject({
        type: 'object',
        required: expect.arrayContaining([
          'done',
          'outcome',
          'statusCode',
          'checks',
        ]),
      });
    }
    expect(byName['get-change-diff'].schema.input).toMatchObject({
      required: ['entityRef', 'from', 'to'],
    });
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('lists the environments as the REST API does, with what the caller may do', async () => {
      const started = await startWithRegistry({
        databaseId,
        permissions: denyOnly('deployments.rollback'),
      });
      const output = await started.invoke('list-environments', {
        entityRef: ENTITY_REF,
      });
      const rest = await request(started.server)
        .get(`${BASE}/environments?include=permissions`)
        .set(as(ALICE));
      expect(rest.status).toBe(200);
      expect(asJson(output)).toEqual(rest.body);
      expect(
        output.environments.map((e: any) => [e.name, e.current?.version.tag]),
      ).toEqual([
        ['dev', 'v1.2.0'],
        ['staging', 'v1.1.0'],
        ['production', 'v1.0.0'],
      ]);
      expect(output.permissions).toMatchObject({
        promote: true,
        rollback: false,
      });
    });

    it('pages the timeline as the REST API does, filtered by environment', async () => {
      const started = await startWithRegistry({ databaseId });
      const first = await started.invoke('get-timeline', {
        entityRef: ENTITY_REF,
        environments: ['dev', 'staging'],
        limit: 2,
      });
      expect(first.environments).toEqual(['dev', 'staging']);
      expect(first.rows.map((r: any) => r.version.sha)).toEqual([S3, S2]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const rest = await request(started.server)
        .get(`${BASE}/timeline?environment=dev,staging&limit=2`)
        .set(as(ALICE));
      expect(asJson(first)).toEqual(rest.body);

      const second = await started.invoke('get-timeline', {
        entityRef: ENTITY_REF,
        environments: ['dev', 'staging'],
        limit: 2,
        cursor: first.nextCursor,
      });
      expect(second.rows.map((r: any) => r.version.sha)).toEqual([S1]);
      expect(second.rows[0].cells.staging.state).toBe('success');
      expect(second.nextCursor).toBeUndefined();
    });
  });

  it('compares two environments as the REST API does', async () => {
    const started = await startWithRegistry();
    started.provider.comparisons.set(`${S2}...${S3}`, {
      status: 'ahead',
      aheadBy: 2,
      behindBy: 0,
      totalCommits: 2,
      commits: [
        {
          sha: S3,
          message: 'Fix rounding in fees',
          author: 'Bob',
          date: '2026-11-30T10:00:00Z',
          pullRequest: {
            number: 231,
            title: 'Fix rounding',
            url: 'https://example.com/pull/231',
          },
        },
      ],
      files: [
        {
          filename: 'fees.py',
          status: 'modified',
          additions: 10,
          deletions: 3,
        },
      ],
      additions: 10,
      deletions: 3,
    });
    const output = await started.invoke('get-change-diff', {
      entityRef: ENTITY_REF,
      from: 'staging',
      to: 'dev',
    });
    expect(output).toMatchObject({
      from: { ref: 'staging', sha: S2 },
      to: { ref: 'dev', sha: S3 },
      status: 'ahead',
      aheadBy: 2,
      commits: [
        expect.objectContaining({
          sha: S3,
          pullRequest: expect.objectContaining({ number: 231 }),
        }),
      ],
      files: [expect.objectContaining({ filename: 'fees.py' })],
    });
    const rest = await request(started.server)
      .get(`${BASE}/diff?from=staging&to=dev`)
      .set(as(ALICE));
    expect(asJson(output)).toEqual(rest.body);
  });

  it('lists the pending approvals of the caller, and only to a user', async () => {
    const started = await startWithRegistry();
    const held = await request(started.server)
      .post(`${BASE}/promote`)
      .set(as(ALICE))
      .set('Idempotency-Key', idempotencyKey())
      .send({ environment: 'production', comment: 'release 1.1' });
    expect(held.status).toBe(202);

    const forBob = await started.invoke(
      'list-pending-approvals',
      {},
      mockCredentials.user(BOB),
    );
    expect(forBob.gates).toEqual([
      expect.objectContaining({
        id: `stagecraft:${held.body.request.id}`,
        environment: 'production',
        version: expect.objectContaining({ sha: S2 }),
        requestedBy: ALICE,
      }),
    ]);
    const rest = await request(started.server)
      .get('/api/deployments/approvals')
      .set(as(BOB));
    expect(asJson(forBob)).toEqual(rest.body);
    // Alice asked for it herself.
    expect((await started.invoke('list-pending-approvals', {})).gates).toEqual(
      [],
    );
    await expect(
      started.invoke(
        'list-pending-approvals',
        {},
        mockCredentials.service('external:ci'),
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining("takes a user's credentials"),
    });
  });

  it('refuses a malformed or unknown entity, an unknown environment and a bad version as the REST API does', async () => {
    const { invoke, server } = await startWithRegistry();
    await expect(
      invoke('list-environments', { entityRef: 'payments-api' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('kind:namespace/name'),
    });
    await expect(
      invoke('list-environments', {
        entityRef: 'component:default/no-such-service',
      }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No entity component:default/no-such-service in the catalog',
    });

    const unknownEnvironment = await request(server)
      .get(`${BASE}/timeline?environment=qa`)
      .set(as(ALICE));
    expect(unknownEnvironment.status).toBe(400);
    await expect(
      invoke('get-timeline', { entityRef: ENTITY_REF, environments: ['qa'] }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: unknownEnvironment.body.error.message,
    });

    await expect(
      invoke('get-timeline', { entityRef: ENTITY_REF, limit: 500 }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^Invalid get-timeline input: limit /),
    });
    await expect(
      invoke('get-change-diff', {
        entityRef: ENTITY_REF,
        from: 'staging',
        to: '../etc',
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('to must be a commit SHA or a tag'),
    });
  });
});
