import { storeTestDatabases, useStore } from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexWebhookDeliveries on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('webhook deliveries', () => {
      it('reports a webhook delivery seen before as a duplicate', async () => {
        await expect(
          db.store.recordWebhookDelivery('github', 'hook:1'),
        ).resolves.toBe(true);
        await expect(
          db.store.recordWebhookDelivery('github', 'hook:1'),
        ).resolves.toBe(false);
        await expect(
          db.store.recordWebhookDelivery('aws', 'hook:1'),
        ).resolves.toBe(true);

        // A delivery whose processing failed is forgotten, so a redelivery runs.
        await db.store.forgetWebhookDelivery('github', 'hook:1');
        await expect(
          db.store.recordWebhookDelivery('github', 'hook:1'),
        ).resolves.toBe(true);
      });
    });
  },
);
