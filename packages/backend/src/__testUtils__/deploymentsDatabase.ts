import { DatabaseService } from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';

type Client = Awaited<ReturnType<DatabaseService['getClient']>>;

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
): Promise<Client> {
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
