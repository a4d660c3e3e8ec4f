import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError, stringifyError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  DeploymentProvider,
  ProviderTarget,
  ProviderWebhookRequest,
} from '@stagecraft/plugin-deployments-node';
import type {
  DeploymentStore,
  StoredTarget,
} from '../database/DeploymentStore';
import {
  CHANGE_SOURCE_ANNOTATION,
  ENVIRONMENTS_ANNOTATION,
  EntityTarget,
} from '../environments/ownership';
import {
  DECLARATIONS_PROVIDER,
  declarationsTarget,
  DeploymentProviderSource,
  EntitySourceSet,
  listProviders,
  readTargets,
} from '../sources/EntitySources';
import { TargetReport, translateReport } from './translateReport';

export type { DeploymentProviderSource } from '../sources/EntitySources';

export interface DeploymentSyncOptions {
  store: DeploymentStore;
  providers: DeploymentProviderSource;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** Target syncs run at the same time during `syncAll`. @defaultValue 4 */
  concurrency?: number;
  /** Entities per catalog page. @defaultValue 500 */
  catalogPageSize?: number;
}

export interface SyncSummary {
  /** Entity targets that were synced. */
  synced: number;
  /** Entity targets whose provider failed; their last known data was kept. */
  failed: number;
}

export type WebhookIngestResult =
  | {
      status: 'accepted';
      events: number;
      reply?: { status: number; body?: unknown };
    }
  | { status: 'duplicate' };

/** One target of one entity, with every target of the entity (for environment ownership). */
interface SyncJob {
  entity: Entity;
  entityRef: string;
  provider: DeploymentProvider;
  target: ProviderTarget;
  sources: EntitySourceSet;
}

/**
 * Keeps the deployment ledger in step with the providers: pulls on a
 * schedule (`syncAll`), on demand (`syncEntity`), and takes pushed webhook
 * deliveries (`ingestWebhook`). A provider failing for one entity never stops
 * the others and never removes what is already known.
 */
export class DeploymentSync {
  private readonly store: DeploymentStore;
  private readonly providerSource: DeploymentProviderSource;
  private readonly catalog: CatalogService;
  private readonly auth: AuthService;
  private readonly logger: LoggerService;
  private readonly concurrency: number;
  private readonly catalogPageSize: number;
  /** Background resyncs asked for by webhooks, one per entity at a time. */
  private readonly resyncs = new Map<string, Promise<void>>();

  constructor(options: DeploymentSyncOptions) {
    this.store = options.store;
    this.providerSource = options.providers;
    this.catalog = options.catalog;
    this.auth = options.auth;
    this.logger = options.logger;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.catalogPageSize = Math.max(1, options.catalogPageSize ?? 500);
  }

  /**
   * Reads every catalog entity page by page, stores every entity's targets
   * (to route webhooks and decide environment ownership on any replica), and
   * syncs each target from its stored cursor.
   */
  async syncAll(options: { signal?: AbortSignal } = {}): Promise<SyncSummary> {
    const { signal } = options;
    const providers = this.providers();
    if (providers.length === 0) return { synced: 0, failed: 0 };

    const credentials = await this.auth.getOwnServiceCredentials();
    const jobs: SyncJob[] = [];
    const stored = new Map<string, StoredTarget[]>(
      [DECLARATIONS_PROVIDER, ...providers.map(p => p.id)].map(id => [id, []]),
    );
    for await (const page of this.catalog.streamEntities(
      { pageSize: this.catalogPageSize },
      { credentials },
    )) {
      if (signal?.aborted) return { synced: 0, failed: 0 };
      for (const entity of page) {
        const { jobs: entityJobs, targets } = await this.jobsFor(
          entity,
          providers,
        );
        jobs.push(...entityJobs);
        for (const { provider, target } of targets) {
          stored.get(provider)!.push({
            entityRef: stringifyEntityRef(entity),
            provider,
            target,
          });
        }
      }
    }
    // Only after the whole catalog was read: a half-read catalog must not
    // shrink the routing table.
    for (const [providerId, providerTargets] of stored) {
      await this.store.setTargets(providerId, providerTargets);
    }

    const summary = await this.runJobs(jobs, signal);
    this.logger.info(
      `Deployment sync finished: ${summary.synced} targets synced, ${summary.failed} failed`,
    );
    return summary;
  }

  /** Syncs every target of one entity, and stores its targets. */
  async syncEntity(
    entityRef: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<SyncSummary> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No catalog entity '${entityRef}'`);
    }
    const providers = this.providers();
    const { jobs, targets } = await this.jobsFor(entity, providers);
    for (const providerId of [
      DECLARATIONS_PROVIDER,
      ...providers.map(p => p.id),
    ]) {
      await this.store.setEntityTargets(
        entityRef,
        providerId,
        targets.filter(t => t.provider === providerId).map(t => t.target),
      );
    }
    return this.runJobs(jobs, options.signal);
  }

  /**
   * Verifies and applies one webhook delivery. The provider checks the
   * signature (its AuthenticationError reaches the caller); a delivery seen
   * before is dropped; each event reaches the entities whose stored targets
   * its routing key names, mapped and filtered like a sync; events that carry
   * too little trigger a background resync, which the response does not wait
   * for.
   */
  async ingestWebhook(
    providerId: string,
    request: ProviderWebhookRequest,
  ): Promise<WebhookIngestResult> {
    const provider = this.providers().find(p => p.id === providerId);
    if (!provider) {
      throw new NotFoundError(`No deployment provider '${providerId}'`);
    }
    if (!provider.handleWebhook) {
      throw new NotFoundError(
        `Deployment provider '${providerId}' does not accept webhooks`,
      );
    }
    const delivery = await provider.handleWebhook(request);
    const fresh = await this.store.recordWebhookDelivery(
      providerId,
      delivery.deliveryKey,
    );
    if (!fresh) return { status: 'duplicate' };

    const toResync = new Set<string>();
    try {
      for (const event of delivery.events) {
        const routed = await this.store.targetsForRoutingKey(
          providerId,
          event.routingKey,
        );
        if (routed.length === 0) {
          this.logger.debug(
            `Webhook delivery ${delivery.deliveryKey} from '${providerId}' names '${event.routingKey}', which no catalog entity's target uses`,
          );
        }
        for (const { entityRef, target } of routed) {
          const sources = EntitySourceSet.fromStored(
            await this.store.targetsOfEntity(entityRef),
            this.providers(),
          );
          await this.ingest({
            entityRef,
            providerId,
            target,
            sources,
            report: {
              deployments: event.deployments,
              gates: event.openedGates,
              traffic: event.traffic,
            },
            gates: 'add',
          });
          if (event.closedGateIds?.length) {
            await this.store.closeGates(
              entityRef,
              providerId,
              event.closedGateIds,
            );
          }
          if (event.resync) toResync.add(entityRef);
        }
      }
    } catch (error) {
      // Let the provider's redelivery of this delivery be processed again.
      await this.store.forgetWebhookDelivery?.(
        providerId,
        delivery.deliveryKey,
      );
      throw error;
    }
    for (const entityRef of toResync) this.resyncInBackground(entityRef);
    return {
      status: 'accepted',
      events: delivery.events.length,
      ...(delivery.reply ? { reply: delivery.reply } : {}),
    };
  }

  /** Resolves when the background resyncs started so far have finished. */
  async backgroundWorkSettled(): Promise<void> {
    while (this.resyncs.size > 0) {
      await Promise.all(this.resyncs.values());
    }
  }

  private resyncInBackground(entityRef: string) {
    if (this.resyncs.has(entityRef)) return;
    const run = this.syncEntity(entityRef)
      .then(
        () => undefined,
        error => {
          this.logger.warn(
            `Resync of ${entityRef} after a webhook failed: ${stringifyError(
              error,
            )}`,
          );
        },
      )
      .finally(() => this.resyncs.delete(entityRef));
    this.resyncs.set(entityRef, run);
  }

  private providers(): DeploymentProvider[] {
    return listProviders(this.providerSource);
  }

  /** The entity's sync jobs (one per provider target) and every target to store, its declarations included. */
  private async jobsFor(
    entity: Entity,
    providers: DeploymentProvider[],
  ): Promise<{ jobs: SyncJob[]; targets: EntityTarget[] }> {
    const entityRef = stringifyEntityRef(entity);
    const targets = await readTargets(entity, providers, this.logger);
    const annotations = entity.metadata.annotations ?? {};
    const sources = new EntitySourceSet({
      targets,
      providers,
      environmentsAnnotation: annotations[ENVIRONMENTS_ANNOTATION],
      changeSourceAnnotation: annotations[CHANGE_SOURCE_ANNOTATION],
    });
    const jobs = targets.map(({ provider, target }) => ({
      entity,
      entityRef,
      provider: providers.find(p => p.id === provider)!,
      target,
      sources,
    }));
    const declarations = declarationsTarget(entity);
    return {
      jobs,
      targets: declarations
        ? [
            ...targets,
            { provider: DECLARATIONS_PROVIDER, target: declarations },
          ]
        : targets,
    };
  }

  private async runJobs(
    jobs: SyncJob[],
    signal?: AbortSignal,
  ): Promise<SyncSummary> {
    const summary: SyncSummary = { synced: 0, failed: 0 };
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !signal?.aborted) {
        const job = jobs[next++];
        if (await this.syncJob(job, signal)) summary.synced += 1;
        else summary.failed += 1;
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.concurrency, jobs.length) }, worker),
    );
    return summary;
  }

  /** Syncs one target of one entity; false when the provider failed. */
  private async syncJob(job: SyncJob, signal?: AbortSignal): Promise<boolean> {
    const { entity, entityRef, provider, target, sources } = job;
    const where = `${entityRef} from '${provider.id}' (${target.key})`;
    try {
      const state = await this.store.getSyncState(
        entityRef,
        provider.id,
        target.key,
      );
      const snapshot = await provider.sync({
        entity,
        target,
        cursor: state?.cursor,
        signal,
      });
      await this.ingest({
        entityRef,
        providerId: provider.id,
        target,
        sources,
        report: {
          deployments: snapshot.deployments,
          gates: snapshot.openGates,
          environments: snapshot.environments,
          traffic: snapshot.traffic,
        },
        gates: 'replace',
        protection: snapshot.environments !== undefined,
      });
      await this.store.recordSyncSuccess({
        entityRef,
        provider: provider.id,
        targetKey: target.key,
        cursor: snapshot.cursor,
        at: new Date(),
      });
      return true;
    } catch (error) {
      const message = stringifyError(error);
      this.logger.warn(
        `Deployment sync of ${where} failed, keeping the last known state: ${message}`,
      );
      try {
        await this.store.recordSyncFailure({
          entityRef,
          provider: provider.id,
          targetKey: target.key,
          error: message,
          at: new Date(),
        });
      } catch (recordError) {
        this.logger.error(
          `Could not record the sync failure of ${where}: ${stringifyError(
            recordError,
          )}`,
        );
      }
      return false;
    }
  }

  /** Writes one target's report for one entity: the same rules for a sync and a webhook. */
  private async ingest(options: {
    entityRef: string;
    providerId: string;
    target: ProviderTarget;
    sources: EntitySourceSet;
    report: TargetReport;
    /** `replace`: the report lists every open gate of the target. */
    gates: 'replace' | 'add';
    /** The report lists the protection of the target's environments. */
    protection?: boolean;
  }) {
    const { entityRef, providerId, target, sources, report } = options;
    const ledger = translateReport({
      provider: providerId,
      target,
      ownerOf: sources.ownerOf,
      report,
    });
    if (ledger.skipped.length > 0) {
      this.logger.debug(
        `${providerId} (${
          target.key
        }) reported for ${entityRef} what it left out: ${ledger.skipped
          .slice(0, 5)
          .join('; ')}${
          ledger.skipped.length > 5
            ? ` and ${ledger.skipped.length - 5} more`
            : ''
        }`,
      );
    }
    if (ledger.deployments.length > 0) {
      await this.store.upsertDeployments(
        entityRef,
        providerId,
        ledger.deployments,
      );
    }
    if (ledger.links.length > 0) {
      await this.store.addDeploymentLinks(entityRef, ledger.links);
    }
    if (options.gates === 'replace') {
      await this.store.replaceOpenGates(
        entityRef,
        providerId,
        target.key,
        ledger.gates,
      );
    } else if (ledger.gates.length > 0) {
      await this.store.openGates(
        entityRef,
        providerId,
        target.key,
        ledger.gates,
      );
    }
    if (options.protection) {
      await this.store.replaceEnvironmentProtection(
        entityRef,
        providerId,
        target.key,
        ledger.protection,
      );
      await this.store.replaceProviderWindows(
        entityRef,
        providerId,
        target.key,
        ledger.windows,
      );
    }
    if (ledger.traffic.length > 0) {
      await this.store.putTraffic(entityRef, ledger.traffic);
    }
  }
}
