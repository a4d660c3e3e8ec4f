import { InputError } from '@backstage/errors';
import {
  ENTITY,
  OTHER,
  sha,
  at,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())('KnexAuditLog on %p', databaseId => {
  const db = useStore(databases, databaseId);

  describe('audit log', () => {
    const entry = (minute: number, overrides: object = {}) => ({
      at: at(minute),
      entityRef: ENTITY,
      action: 'promote' as const,
      outcome: 'executed' as const,
      actor: 'user:default/alice',
      environment: 'staging',
      version: { sha: sha(minute), tag: `v${minute}` },
      ...overrides,
    });

    it('appends entries and returns them with id and time', async () => {
      const appended = await db.store.appendAudit({
        ...entry(1),
        providerIdentity: 'github-app:12345',
        comment: 'ship it',
        requestId: 'r1',
      });
      expect(appended).toEqual({
        id: expect.any(String),
        at: at(1),
        entityRef: ENTITY,
        action: 'promote',
        outcome: 'executed',
        actor: 'user:default/alice',
        providerIdentity: 'github-app:12345',
        environment: 'staging',
        version: { sha: sha(1), tag: 'v1' },
        comment: 'ship it',
        requestId: 'r1',
      });
      const { entries } = await db.store.listAudit(ENTITY, {}, { limit: 10 });
      expect(entries).toEqual([appended]);

      const { at: _omitted, ...withoutTime } = entry(0);
      const stamped = await db.store.appendAudit(withoutTime);
      expect(Date.now() - Date.parse(stamped.at)).toBeLessThan(60_000);
    });

    it('pages newest first, also through entries with the same time', async () => {
      for (const minute of [1, 2, 2, 2, 3]) {
        await db.store.appendAudit(entry(minute));
      }
      await db.store.appendAudit(entry(9, { entityRef: OTHER }));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await db.store.listAudit(ENTITY, {}, { limit: 2, cursor });
        seen.push(...page.entries.map(e => `${e.at}#${e.id}`));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
      expect(seen.map(s => s.split('#')[0])).toEqual([
        at(3),
        at(2),
        at(2),
        at(2),
        at(1),
      ]);
    });

    it('filters by environment, action, outcome, actor and time', async () => {
      await db.store.appendAudit(entry(1));
      await db.store.appendAudit(
        entry(2, { environment: 'production', outcome: 'refused' }),
      );
      await db.store.appendAudit(
        entry(3, { action: 'approve', actor: 'user:default/bob' }),
      );
      await db.store.appendAudit(
        entry(4, { action: 'rollback', environment: 'production' }),
      );

      const tags = async (filters: object) =>
        (await db.store.listAudit(ENTITY, filters, { limit: 50 })).entries.map(
          e => e.version?.tag,
        );
      expect(await tags({ environment: ['production'] })).toEqual(['v4', 'v2']);
      expect(await tags({ action: ['approve', 'rollback'] })).toEqual([
        'v4',
        'v3',
      ]);
      expect(await tags({ outcome: ['refused'] })).toEqual(['v2']);
      expect(await tags({ actor: 'user:default/bob' })).toEqual(['v3']);
      expect(await tags({ since: at(2), until: at(3) })).toEqual(['v3', 'v2']);
    });

    it('refuses a malformed cursor with an InputError', async () => {
      await expect(
        db.store.listAudit(ENTITY, {}, { limit: 2, cursor: '!!' }),
      ).rejects.toThrow(InputError);
    });
  });
});
