import { InputError } from '@backstage/errors';
import type { NewReleaseEvidence } from './KnexReleaseEvidence';
import {
  ENTITY,
  OTHER,
  at,
  sha,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexReleaseEvidence on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    const auditEntry = (minute: number, entityRef = ENTITY) =>
      db.store.appendAudit({
        at: at(minute),
        entityRef,
        action: 'promote',
        outcome: 'requested',
        actor: 'user:default/alice',
        environment: 'production',
        version: { sha: sha(2), tag: 'v1.1.0' },
        requestId: `req-${minute}`,
      });

    const evidenceOf = (
      entry: { id: string; entityRef: string; at: string },
      overrides: Partial<NewReleaseEvidence> = {},
    ): NewReleaseEvidence => ({
      auditId: entry.id,
      requestId: 'req-1',
      entityRef: entry.entityRef,
      action: 'promote',
      outcome: 'requested',
      environment: 'production',
      version: { sha: sha(2), tag: 'v1.1.0' },
      actor: 'user:default/alice',
      comment: 'ship it',
      recordedAt: entry.at,
      checks: [
        { rule: 'permission', passed: true, message: 'allowed' },
        { rule: 'promotion-order', passed: true, message: 'ran in staging' },
      ],
      gate: {
        kind: 'portal',
        id: 'stagecraft:req-1',
        provider: 'stagecraft',
        environment: 'production',
        reviewers: [],
        rule: 'another person',
        requestedBy: 'user:default/alice',
      },
      changes: {
        status: 'available',
        from: { ref: 'production', sha: sha(1) },
        to: { ref: 'v1.1.0', sha: sha(2) },
        comparison: 'ahead',
        aheadBy: 1,
        behindBy: 0,
        totalCommits: 1,
        commits: [
          {
            sha: sha(2),
            message: 'Retry captures (#7) — ünïcode',
            author: 'Bob',
            authorLogin: 'bob',
            date: at(0),
            pullRequest: 7,
          },
        ],
        pullRequests: [
          {
            number: 7,
            title: 'Retry captures',
            author: 'bob',
            url: 'https://github.com/acme/payments-api/pull/7',
            commits: [sha(2)],
          },
        ],
        truncated: false,
        hash: {
          algorithm: 'sha256',
          canonicalization: 'stagecraft-change-set/v1',
          value: 'a'.repeat(64),
        },
      },
      idempotencyKey: 'key-00000001',
      ...overrides,
    });

    it('records evidence linked to its audit entry and reads it back as recorded', async () => {
      const entry = await auditEntry(1);
      const { idempotencyKey: _key, ...recorded } = evidenceOf(entry);
      const stored = await db.store.recordReleaseEvidence(evidenceOf(entry));
      expect(stored).toEqual({
        ...recorded,
        schema: 'stagecraft.release-evidence/v1',
        id: expect.any(String),
      });
      await expect(
        db.store.getReleaseEvidence(ENTITY, entry.id),
      ).resolves.toEqual(stored);
    });

    it("never shows one entity's evidence under another's", async () => {
      const entry = await auditEntry(1);
      const first = await db.store.recordReleaseEvidence(evidenceOf(entry));
      await expect(
        db.store.getReleaseEvidence(ENTITY, entry.id),
      ).resolves.toEqual(first);
      await expect(
        db.store.getReleaseEvidence(OTHER, entry.id),
      ).resolves.toBeUndefined();
    });

    it('records once per actor and Idempotency-Key: a retry gets the first record', async () => {
      const first = await auditEntry(1);
      const retry = await auditEntry(2);
      const stored = await db.store.recordReleaseEvidence(evidenceOf(first));
      const again = await db.store.recordReleaseEvidence(
        evidenceOf(retry, { comment: 'second try' }),
      );
      expect(again).toEqual(stored);
      await expect(
        db.store.getReleaseEvidence(ENTITY, retry.id),
      ).resolves.toBeUndefined();
      const count = async () =>
        Number((await db.knex('release_evidence').count({ n: '*' }))[0].n);
      expect(await count()).toBe(1);

      // Another caller's same key, or no key, is another action.
      const bob = await auditEntry(3);
      await db.store.recordReleaseEvidence(
        evidenceOf(bob, { actor: 'user:default/bob' }),
      );
      const keyless = await auditEntry(4);
      await db.store.recordReleaseEvidence(
        evidenceOf(keyless, { idempotencyKey: undefined }),
      );
      expect(await count()).toBe(3);
    });

    it('never stores a second record of the same audit entry', async () => {
      const entry = await auditEntry(1);
      const first = await db.store.recordReleaseEvidence(evidenceOf(entry));
      const second = await db.store
        .recordReleaseEvidence(
          evidenceOf(entry, { idempotencyKey: 'key-00000002' }),
        )
        .then(
          record => ({ record }),
          error => ({ error: error as Error }),
        );
      // Refused by the unique key on the audit entry; never a second row.
      const refusedOrFirst =
        'error' in second
          ? /unique|duplicate/i.test(second.error.message)
          : JSON.stringify(second.record) === JSON.stringify(first);
      expect(refusedOrFirst).toBe(true);
      expect(
        await db.knex('release_evidence').where({ audit_id: Number(entry.id) }),
      ).toHaveLength(1);
      await expect(
        db.store.getReleaseEvidence(ENTITY, entry.id),
      ).resolves.toEqual(first);
    });

    it('lists audit entries with the id of their evidence where they have one', async () => {
      const withEvidence = await auditEntry(1);
      const without = await auditEntry(2);
      const stored = await db.store.recordReleaseEvidence(
        evidenceOf(withEvidence),
      );
      const { entries } = await db.store.listAudit(ENTITY, {}, { limit: 10 });
      expect(entries.map(e => [e.id, e.evidenceId])).toEqual([
        [without.id, undefined],
        [withEvidence.id, stored.id],
      ]);
    });

    it('keeps the record of unavailable changes with the reason and no hash', async () => {
      const entry = await auditEntry(1);
      const stored = await db.store.recordReleaseEvidence(
        evidenceOf(entry, {
          changes: {
            status: 'unavailable',
            from: { ref: 'production', sha: sha(1) },
            to: { ref: 'v1.1.0', sha: sha(2) },
            reason: 'the change source could not be asked: timeout',
          },
        }),
      );
      expect(stored.changes).toEqual({
        status: 'unavailable',
        from: { ref: 'production', sha: sha(1) },
        to: { ref: 'v1.1.0', sha: sha(2) },
        reason: 'the change source could not be asked: timeout',
      });
      const [row] = await db.knex('release_evidence').select('changes_hash');
      expect(row.changes_hash).toBeNull();
    });

    it.each(['0', '-1', 'abc', '1.5', '9'.repeat(30)])(
      'refuses %p as an audit id',
      async auditId => {
        await expect(
          db.store.getReleaseEvidence(ENTITY, auditId),
        ).rejects.toThrow(InputError);
      },
    );
  },
);
