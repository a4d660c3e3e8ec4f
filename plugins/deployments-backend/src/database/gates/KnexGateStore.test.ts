import {
  ENTITY,
  OTHER,
  sha,
  at,
  gate,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexGateStore on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('gates', () => {
      it('replaces the open gates of one entity and provider', async () => {
        await db.store.replaceOpenGates(ENTITY, 'github', 'acme/payments', [
          gate('1'),
          gate('2'),
        ]);
        await db.store.replaceOpenGates(OTHER, 'github', 'acme/payments', [
          gate('9'),
        ]);
        await db.store.replaceOpenGates(ENTITY, 'github', 'acme/payments', [
          gate('2', { since: at(7) }),
        ]);

        const gates = await db.store.listOpenGates(ENTITY);
        expect(gates).toEqual([
          {
            id: 'github:2',
            kind: 'provider',
            provider: 'github',
            entityRef: ENTITY,
            environment: 'production',
            version: { sha: sha(1), tag: 'v1.0.0' },
            reviewers: [{ type: 'team', name: 'team-payments' }],
            since: at(7),
            details: { runId: '812' },
            targetKey: 'acme/payments',
          },
        ]);
        // Across entities, oldest first.
        expect((await db.store.listOpenGates()).map(g => g.id)).toEqual([
          'github:9',
          'github:2',
        ]);

        await db.store.replaceOpenGates(ENTITY, 'github', 'acme/payments', []);
        expect(await db.store.listOpenGates(ENTITY)).toEqual([]);
      });

      it('opens and closes single gates', async () => {
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [
          gate('1'),
        ]);
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [
          gate('1'),
          gate('2'),
        ]);
        expect(await db.store.getGate(ENTITY, 'github:1')).toEqual(
          expect.objectContaining({
            id: 'github:1',
            details: { runId: '812' },
          }),
        );
        await db.store.closeGates(ENTITY, 'github', ['1']);
        expect(await db.store.getGate(ENTITY, 'github:1')).toBeUndefined();
        expect((await db.store.listOpenGates(ENTITY)).map(g => g.id)).toEqual([
          'github:2',
        ]);
        await expect(
          db.store.getGate(ENTITY, 'nonsense'),
        ).resolves.toBeUndefined();
      });
    });

    describe('gates per target', () => {
      it('replaces only the gates of the target that reported', async () => {
        await db.store.replaceOpenGates(ENTITY, 'aws', 'pipeline-a', [
          gate('a1'),
          gate('a2'),
        ]);
        await db.store.replaceOpenGates(ENTITY, 'aws', 'pipeline-b', [
          gate('b1'),
        ]);
        await db.store.replaceOpenGates(ENTITY, 'aws', 'pipeline-a', [
          gate('a2'),
        ]);
        expect(
          (await db.store.listOpenGates(ENTITY))
            .map(g => `${g.id}@${g.targetKey}`)
            .sort(),
        ).toEqual(['aws:a2@pipeline-a', 'aws:b1@pipeline-b']);
      });

      it('stores the gate type and when it expires', async () => {
        await db.store.openGates(ENTITY, 'aws', 'pipeline-a', [
          gate('approval-1', {
            type: 'manual-approval',
            expiresAt: at(50),
            reviewers: [
              { type: 'principal', name: 'arn:aws:iam::1:role/release' },
            ],
          }),
        ]);
        expect(await db.store.getGate(ENTITY, 'aws:approval-1')).toEqual(
          expect.objectContaining({
            type: 'manual-approval',
            expiresAt: at(50),
            reviewers: [
              { type: 'principal', name: 'arn:aws:iam::1:role/release' },
            ],
          }),
        );
      });

      it('keeps the same provider gate of two entities apart', async () => {
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [
          gate('7'),
        ]);
        await db.store.openGates(OTHER, 'github', 'acme/payments', [
          gate('7', { environment: 'worker-prod' }),
        ]);
        await db.store.closeGates(OTHER, 'github', ['7']);
        expect((await db.store.getGate(ENTITY, 'github:7'))?.environment).toBe(
          'production',
        );
        expect(await db.store.getGate(OTHER, 'github:7')).toBeUndefined();
      });

      it('changes nothing when gates are replayed', async () => {
        const gates = [gate('1'), gate('2', { since: at(6) }), gate('1')];
        await db.store.replaceOpenGates(
          ENTITY,
          'github',
          'acme/payments',
          gates,
        );
        const before = await db
          .knex('provider_gates')
          .orderBy('provider_gate_id');
        await db.store.replaceOpenGates(
          ENTITY,
          'github',
          'acme/payments',
          gates,
        );
        await db.store.openGates(ENTITY, 'github', 'acme/payments', gates);
        expect(
          await db.knex('provider_gates').orderBy('provider_gate_id'),
        ).toEqual(before);
        expect(before).toHaveLength(2);
      });

      it('keeps what a thinner webhook report leaves out, so the gate is the same in any order', async () => {
        // GitHub's review event names the reviewers and the run's page; its
        // job event, about the same gate, names neither and may start later.
        const review = gate('run-9:production', {
          requestedBy: 'carol',
          url: 'https://github.com/acme/payments/actions/runs/9',
          since: at(5),
        });
        const job = gate('run-9:production', {
          reviewers: [],
          url: undefined,
          since: at(6),
        });
        const stored = async () =>
          (await db.store.listOpenGates(ENTITY)).map(g => ({
            reviewers: g.reviewers,
            requestedBy: g.requestedBy,
            url: g.url,
            since: g.since,
          }));
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [review]);
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [job]);
        const inOrder = await stored();
        await db.store.closeGates(ENTITY, 'github', ['run-9:production']);
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [job]);
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [review]);
        expect(await stored()).toEqual(inOrder);
        expect(inOrder).toEqual([
          {
            reviewers: [{ type: 'team', name: 'team-payments' }],
            requestedBy: 'carol',
            url: 'https://github.com/acme/payments/actions/runs/9',
            since: at(5),
          },
        ]);
      });

      it('lets the first sync of any target replace a gate stored before targets', async () => {
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [
          gate('old'),
        ]);
        await db.knex('provider_gates').update({ target_key: '' });
        expect(
          (await db.store.getGate(ENTITY, 'github:old'))?.targetKey,
        ).toBeUndefined();
        await db.store.replaceOpenGates(ENTITY, 'github', 'acme/payments', [
          gate('new'),
        ]);
        expect((await db.store.listOpenGates(ENTITY)).map(g => g.id)).toEqual([
          'github:new',
        ]);
      });

      it('refuses a gate with an invalid time or version, writing none', async () => {
        await expect(
          db.store.openGates(ENTITY, 'github', 'acme/payments', [
            gate('1'),
            gate('2', { since: 'soon' }),
          ]),
        ).rejects.toThrow("Invalid time 'soon' for since of gate '2'");
        await expect(
          db.store.openGates(ENTITY, 'github', 'acme/payments', [
            gate('3', { version: { sha: 'main' } }),
          ]),
        ).rejects.toThrow("invalid commit SHA 'main'");
        expect(await db.store.listOpenGates(ENTITY)).toEqual([]);
      });
    });
  },
);
