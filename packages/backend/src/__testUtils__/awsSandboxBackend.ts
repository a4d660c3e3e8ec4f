import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { SandboxServer, createSandboxServer } from '@stagecraft/sandbox';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testBackendFeatures } from '../features';
import permissionPolicy from '../permissionPolicy';
import { demoConfig, sandboxAwsConfig } from './demoConfig';
import { deploymentActionsAllowedOn } from './deploymentActionsPermissions';
import {
  PluginDatabase,
  openPluginDatabase,
  sqliteFilesConfig,
} from './deploymentsDatabase';
import { SnsRelay, startSnsRelay } from './snsRelay';

const examples = resolve(__dirname, '../../../../examples');

/** The static placeholder credentials of the sandbox's account (it checks no signature). */
export const SANDBOX_AWS_ACCOUNT = {
  accountId: '123456789012',
  accessKeyId: 'stand-in-access-key',
  secretAccessKey: 'stand-in-secret-key',
};

export interface AwsSandboxBackend {
  sandbox: SandboxServer;
  /** Between the sandbox's SNS subscription and the portal. */
  relay: SnsRelay;
  backend: Awaited<ReturnType<typeof startTestBackend>>;
  /** A second connection to the deployments plugin's store. */
  db: PluginDatabase;
  close(): Promise<void>;
}

/**
 * The sandbox (seed 42, time moved by the test) and the real demo backend
 * with the GitHub and AWS modules pointed at it, the real scheduler syncing
 * every 3 s, the catalog of examples/ plus python-service's catalog-info,
 * the sandbox's SNS notifications delivered through a relay, and deployment
 * actions allowed to `owners` (user ref → entity refs) only.
 */
export async function startAwsSandboxBackend(options: {
  owners: Record<string, string[]>;
}): Promise<AwsSandboxBackend> {
  const databaseDirectory = mkdtempSync(join(tmpdir(), 'stagecraft-aws-'));
  let backendUrl = '';
  const relay = await startSnsRelay(
    () => `${backendUrl}/api/deployments/webhooks/aws`,
  );
  const sandbox = await createSandboxServer({
    port: 0,
    seed: 42,
    tickMs: 0,
    reactionMs: 0,
    webhookUrl: null,
    snsUrl: () => relay.url,
    logger: { info: () => {}, warn: () => {} },
  });
  const backend = await startTestBackend({
    features: [
      ...testBackendFeatures.filter(
        feature =>
          feature !== permissionBackend && feature !== permissionPolicy,
      ),
      deploymentActionsAllowedOn(options.owners),
      // The real scheduler, so the sync runs on its schedule once the
      // catalog has the entities (the mock one runs tasks only at start-up).
      schedulerServiceFactory,
      mockServices.rootConfig.factory({
        data: demoConfig({
          backend: {
            baseUrl: 'http://localhost:7007',
            database: sqliteFilesConfig(databaseDirectory),
          },
          catalog: {
            rules: [
              { allow: ['Component', 'System', 'Location', 'User', 'Group'] },
            ],
            locations: [
              { type: 'file', target: `${examples}/entities.yaml` },
              { type: 'file', target: `${examples}/org.yaml` },
              {
                type: 'file',
                target: `${examples}/python-service/catalog-info.yaml`,
              },
            ],
          },
          integrations: {
            github: [
              {
                host: 'github.com',
                apiBaseUrl: `${sandbox.url}/api/v3`,
                token: 'sandbox-token',
              },
            ],
          },
          deployments: {
            promotionPath: ['dev', 'staging', 'production'],
            schedule: {
              frequency: { seconds: 3 },
              timeout: { minutes: 3 },
              initialDelay: { seconds: 1 },
            },
            github: { webhookSecret: 'aws-full-system-secret' },
            aws: sandboxAwsConfig(sandbox.url),
          },
          aws: { accounts: [SANDBOX_AWS_ACCOUNT] },
        }),
      }),
    ],
  });
  backendUrl = `http://127.0.0.1:${
    (backend.server.address() as AddressInfo).port
  }`;
  const db = await openPluginDatabase(databaseDirectory, 'deployments');
  // The sandbox asked before the portal listened; SNS asks again.
  sandbox.sns!.requestConfirmation();
  await sandbox.sns!.flush();

  return {
    sandbox,
    relay,
    backend,
    db,
    async close() {
      await db.destroy();
      await backend.stop();
      await sandbox.close();
      await relay.close();
      rmSync(databaseDirectory, { recursive: true, force: true });
    },
  };
}
