import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError, stringifyError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  DeploymentProvider,
  ProviderTarget,
  ProviderWebhookRequest,
} from '@stagecraft/plugin-deployments-node';
import type { DeploymentStore } from '../database/DeploymentStore';

/**
 * The registered providers. Providers register through the extension point
 * before the plugin initialises, so they are read at use, not at
 * construction: pass the Map that the extension point fills, or a function.
 */
export type DeploymentProviderSource =
  | ReadonlyMap<string, DeploymentProvider>
  | (() => Iterable<DeploymentProvider>);

export interface DeploymentSyncOptions {
  store: DeploymentStore;
  providers: DeploymentProviderSource;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** Entity syncs run at the same time during `syncAll`. @defaultValue 4 */
  concurrency?: number;
  /** Entities per catalog page. @defaultValue 500 */
  catalogPageSize?: number;
}

export interface SyncSummary {
  /** Entity and provider pairs that were synced. */
  synced: number;
  /** Pairs whose provider failed; their last known data was kept. */
  failed: number;
}

export type WebhookIngestResult =
  | { status: 'accepted'; events: number }
  | { status: 'duplicate' };

interface SyncJob {
  entity: Entity;
  entityRef: string;
  provider: DeploymentProvider;
  target: ProviderTarget;
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
   * Reads every catalog entity page by page, records which provider targets
   * belong to which entities (to route webhooks), and syncs each entity from
   * its stored cursor.
   */
  async syncAll(options: { signal?: AbortSignal } = {}): Promise<SyncSummary> {
    const { signal } = options;
    const providers = this.providers();
    if (providers.length === 0) return { synced: 0, failed: 0 };

    const credentials = await this.auth.getOwnServiceCredentials();
    const jobs: SyncJob[] = [];
    const targets = new Map<
      string,
      Array<{ entityRef: string; targetKey: string }>
    >(providers.map(provider => [provider.id, []]));
    for await (const page of this.catalog.streamEntities(
      { pageSize: this.catalogPageSize },
      { credentials },
    )) {
      if (signal?.aborted) return { synced: 0, failed: 0 };
      for (const entity of page) {
        for (const job of this.jobsFor(entity, providers)) {
          jobs.push(job);
          targets
            .get(job.provider.id)!
            .push({ entityRef: job.entityRef, targetKey: job.target.key });
        }
      }
    }
    // Only after the whole catalog was read: a half-read catalog must not
    // shrink the routing table.
    for (const [providerId, providerTargets] of targets) {
      await this.store.setTargets(providerId, providerTargets);
    }

    const summary = await this.runJobs(jobs, signal);
    this.logger.info(
      `Deployment sync finished: ${summary.synced} synced, ${summary.failed} failed`,
    );
    return summary;
  }

  /** Syncs one entity with every provider that handles it. */
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
    return this.runJobs(this.jobsFor(entity, this.providers()), options.signal);
  }

  /**
   * Verifies and applies one webhook delivery. The provider checks the
   * signature (its AuthenticationError reaches the caller); a delivery seen
   * before is dropped; events that carry too little trigger a background
   * resync of their entities, which the response does not wait for.
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
        const entityRefs = await this.store.entitiesForTarget(
          providerId,
          event.targetKey,
        );
        if (entityRefs.length === 0) {
          this.logger.debug(
            `Webhook delivery ${delivery.deliveryKey} from '${providerId}' names target '${event.targetKey}', which no catalog entity uses`,
          );
        }
        for (const entityRef of entityRefs) {
          if (event.deployments?.length) {
            await this.store.upsertDeployments(
              entityRef,
              providerId,
              event.deployments,
            );
          }
          if (event.openedGates?.length) {
            await this.store.openGates(
              entityRef,
              providerId,
              event.openedGates,
            );
          }
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
    return { status: 'accepted', events: delivery.events.length };
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
    return typeof this.providerSource === 'function'
      ? [...this.providerSource()]
      : [...this.providerSource.values()];
  }

  private jobsFor(entity: Entity, providers: DeploymentProvider[]): SyncJob[] {
    const entityRef = stringifyEntityRef(entity);
    const jobs: SyncJob[] = [];
    for (const provider of providers) {
      let target: ProviderTarget | undefined;
      try {
        target = provider.targetOf(entity);
      } catch (error) {
        this.logger.warn(
          `Deployment provider '${
            provider.id
          }' could not read the annotations of ${entityRef}: ${stringifyError(
            error,
          )}`,
        );
      }
      if (target) jobs.push({ entity, entityRef, provider, target });
    }
    return jobs;
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

  /** Syncs one entity with one provider; false when the provider failed. */
  private async syncJob(job: SyncJob, signal?: AbortSignal): Promise<boolean> {
    const { entity, entityRef, provider, target } = job;
    try {
      const state = await this.store.getSyncState(entityRef, provider.id);
      const snapshot = await provider.sync({
        entity,
        target,
        cursor: state?.cursor,
        signal,
      });
      await this.store.upsertDeployments(
        entityRef,
        provider.id,
        snapshot.deployments,
      );
      await this.store.replaceOpenGates(
        entityRef,
        provider.id,
        snapshot.openGates,
      );
      await this.store.recordSyncSuccess({
        entityRef,
        provider: provider.id,
        cursor: snapshot.cursor,
        at: new Date(),
      });
      return true;
    } catch (error) {
      const message = stringifyError(error);
      this.logger.warn(
        `Deployment sync of ${entityRef} from '${provider.id}' failed, keeping the last known state: ${message}`,
      );
      try {
        await this.store.recordSyncFailure({
          entityRef,
          provider: provider.id,
          error: message,
          at: new Date(),
        });
      } catch (recordError) {
        this.logger.error(
          `Could not record the sync failure of ${entityRef} from '${
            provider.id
          }': ${stringifyError(recordError)}`,
        );
      }
      return false;
    }
  }
}
