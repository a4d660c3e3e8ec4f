import { DatabaseService } from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { eventually } from './eventually';

export type PluginDatabase = Awaited<ReturnType<DatabaseService['getClient']>>;

/**
 * `backend.database` that keeps each plugin's SQLite database in a file of
 * `directory` (`<pluginId>.sqlite`), so a test can open the deployments
 * plugin's store beside the running backend and count what it wrote.
 */
export function sqliteFilesConfig(directory: string) {
  return { client: 'better-sqlite3', connection: { directory } };
}

/** A second connection to a plugin's database of {@link sqliteFilesConfig}. */
export async function openPluginDatabase(
  directory: string,
  pluginId: string,
): Promise<PluginDatabase> {
  const manager = DatabaseManager.fromConfig(
    new ConfigReader({
      backend: { database: sqliteFilesConfig(directory) },
    }),
  );
  return manager
    .forPlugin(pluginId, {
      logger: mockServices.logger.mock(),
      lifecycle: mockServices.lifecycle.mock(),
    })
    .getClient();
}

async function countOf(
  query: ReturnType<PluginDatabase['table']>,
): Promise<number> {
  const [row] = (await query.count({ n: '*' })) as Array<{
    n: number | string;
  }>;
  return Number(row.n);
}

/** Rows the deployments store holds: the ledger's deployments and statuses, and the webhook deliveries seen. */
export async function storeRowCounts(db: PluginDatabase) {
  return {
    deployments: await countOf(db('deployments')),
    statuses: await countOf(db('deployment_statuses')),
    deliveries: await countOf(db('webhook_deliveries')),
  };
}

/** {@link storeRowCounts} once they stayed the same for `quietMs` (two or more scheduled syncs). */
export async function settledStoreRowCounts(
  db: PluginDatabase,
  quietMs = 7_000,
) {
  let last = await storeRowCounts(db);
  let stableSince = Date.now();
  return eventually('the store to settle', async () => {
    await new Promise(r => setTimeout(r, 1000));
    const now = await storeRowCounts(db);
    if (JSON.stringify(now) !== JSON.stringify(last)) {
      last = now;
      stableSince = Date.now();
      return undefined;
    }
    return Date.now() - stableSince >= quietMs ? now : undefined;
  });
}

/** How many times the store recorded a provider's webhook delivery key. */
export function webhookDeliveriesOf(
  db: PluginDatabase,
  provider: string,
  deliveryKey: string,
) {
  return countOf(
    db('webhook_deliveries').where({ provider, delivery_key: deliveryKey }),
  );
}
