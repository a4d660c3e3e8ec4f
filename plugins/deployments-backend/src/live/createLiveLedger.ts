import type {
  AuthService,
  DatabaseService,
  LoggerService,
  RootConfigService,
  RootInstanceMetadataService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type { DeploymentStore } from '../database/DeploymentStore';
import { DeploymentNotifier, NotificationKinds } from './DeploymentNotifier';
import { KnexSentNotifications } from './KnexSentNotifications';
import {
  fanOutLedgerChanges,
  LedgerChanges,
  noLedgerChanges,
} from './LedgerChanges';
import { LedgerSignals } from './LedgerSignals';
import { observeLedger } from './observeLedger';

/**
 * On, off, or `auto`: on when the Backstage plugin it needs runs in this
 * backend. `true` is for a split deployment, where it runs in another one.
 */
export type LiveSwitch = boolean | 'auto';

/** What `deployments.signals` and `deployments.notifications` ask for. */
export interface LiveConfig {
  signals: LiveSwitch;
  notifications: LiveSwitch;
  kinds: NotificationKinds;
}

/** Reads `deployments.signals.enabled` and `deployments.notifications.*`; unset means `auto`, every kind on. */
export function readLiveConfig(config: RootConfigService): LiveConfig {
  const notifications = config.getOptionalConfig('deployments.notifications');
  const kind = (name: keyof NotificationKinds) =>
    notifications?.getOptionalBoolean(name) ?? true;
  return {
    signals: config.getOptionalBoolean('deployments.signals.enabled') ?? 'auto',
    notifications: notifications?.getOptionalBoolean('enabled') ?? 'auto',
    kinds: {
      approvalNeeded: kind('approvalNeeded'),
      decided: kind('decided'),
      failed: kind('failed'),
    },
  };
}

/** Whether a switch is on: `auto` asks whether the plugin is installed in this backend. */
async function isOn(
  value: LiveSwitch,
  instanceMetadata: RootInstanceMetadataService,
  pluginId: string,
): Promise<boolean> {
  if (value !== 'auto') return value;
  const plugins = await instanceMetadata.getInstalledPlugins();
  return plugins.some(plugin => plugin.pluginId === pluginId);
}

function reason(value: LiveSwitch, on: boolean, pluginId: string): string {
  if (on) return 'on';
  return value === false
    ? 'off (config)'
    : `off (the ${pluginId} plugin is not installed)`;
}

/**
 * The store that tells the live half of the plugin about every change of an
 * entity's ledger: signals for open pages, notifications for people. Each is
 * off when config turns it off or when its Backstage plugin is not installed.
 */
export async function createLiveLedger(options: {
  store: DeploymentStore;
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  instanceMetadata: RootInstanceMetadataService;
  signals: SignalsService;
  notifications: NotificationService;
  catalog: CatalogService;
  auth: AuthService;
  promotionPathOf: (entity: Entity) => string[];
}): Promise<{
  store: DeploymentStore;
  changes: LedgerChanges;
  settled: () => Promise<void>;
}> {
  const { config, logger, instanceMetadata } = options;
  const live = readLiveConfig(config);
  const signalsOn = await isOn(live.signals, instanceMetadata, 'signals');
  const notificationsOn =
    Object.values(live.kinds).some(Boolean) &&
    (await isOn(live.notifications, instanceMetadata, 'notifications'));

  const signals = signalsOn
    ? new LedgerSignals({ signals: options.signals, logger })
    : undefined;
  const notifier = notificationsOn
    ? new DeploymentNotifier({
        notifications: options.notifications,
        sent: new KnexSentNotifications(await options.database.getClient()),
        store: options.store,
        catalog: options.catalog,
        auth: options.auth,
        logger,
        kinds: live.kinds,
        promotionPathOf: options.promotionPathOf,
      })
    : undefined;
  logger.info(
    `Deployments live updates: signals ${reason(
      live.signals,
      signalsOn,
      'signals',
    )}, notifications ${reason(
      live.notifications,
      notificationsOn,
      'notifications',
    )}`,
  );

  const changes = fanOutLedgerChanges(
    [signals ?? noLedgerChanges, notifier ?? noLedgerChanges],
    logger,
  );
  return {
    store:
      changes === noLedgerChanges
        ? options.store
        : observeLedger(options.store, changes),
    changes,
    settled: async () => {
      await signals?.settled();
      await notifier?.settled();
    },
  };
}
