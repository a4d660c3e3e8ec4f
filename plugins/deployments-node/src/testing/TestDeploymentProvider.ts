import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Entity } from '@backstage/catalog-model';
import { AuthenticationError, InputError } from '@backstage/errors';
import type {
  DeploymentProvider,
  ProviderAbortRequest,
  ProviderActionResult,
  ProviderCapability,
  ProviderComparison,
  ProviderPromoteRequest,
  ProviderReviewRequest,
  ProviderSnapshot,
  ProviderTarget,
  ProviderWebhookRequest,
  ProviderWebhookResult,
} from '../provider';
import type { Version } from '@stagecraft/plugin-deployments-common';

/**
 * The annotation that points an entity at the test provider with id `test`:
 * a target key, optionally followed by `@env1|env2` for the environments it
 * covers (all when omitted); `env=theirs` maps the provider's name `theirs`
 * to the entity's `env`. A provider with another id reads
 * `stagecraft.io/<id>-target`. Several targets are separated by commas.
 *
 * @public
 */
export const TEST_TARGET_ANNOTATION = 'stagecraft.io/test-target';

/**
 * Header carrying `sha256=<hex HMAC of the raw body>`, like GitHub's.
 *
 * @public
 */
export const TEST_SIGNATURE_HEADER = 'x-test-signature';

/** @public */
export interface TestDeploymentProviderOptions {
  id?: string;
  webhookSecret?: string;
  /** Milliseconds `promote` takes, to let tests overlap two requests. */
  promoteDelayMs?: number;
  /** The optional capabilities it has; all of them when omitted. */
  capabilities?: ProviderCapability[];
  /** Whether its targets are the entity's source control. @defaultValue true */
  changeSource?: boolean;
  /** The capabilities its targets support, when not all of the provider's. */
  targetCapabilities?: ProviderCapability[];
}

const ALL_CAPABILITIES: ProviderCapability[] = [
  'compare',
  'resolveVersion',
  'promote',
  'review',
  'abort',
  'handleWebhook',
];

/**
 * An in-memory deployment provider for tests of the core and of provider
 * kits: it reports what a test puts in `snapshots` (by target key), records
 * every action it is asked to take, fails on demand, and can be built
 * without any optional capability. It speaks no network at all.
 *
 * @public
 */
export class TestDeploymentProvider implements DeploymentProvider {
  readonly id: string;
  compare?: DeploymentProvider['compare'];
  resolveVersion?: DeploymentProvider['resolveVersion'];
  promote?: DeploymentProvider['promote'];
  review?: DeploymentProvider['review'];
  abort?: DeploymentProvider['abort'];
  handleWebhook?: DeploymentProvider['handleWebhook'];
  readonly abortCalls: ProviderAbortRequest[] = [];
  readonly snapshots = new Map<string, ProviderSnapshot>();
  readonly comparisons = new Map<string, ProviderComparison>();
  /** Refs the provider knows beyond the ledger (tags or commits never deployed). */
  readonly versions = new Map<string, Version>();
  readonly promoteCalls: ProviderPromoteRequest[] = [];
  readonly reviewCalls: ProviderReviewRequest[] = [];
  readonly compareCalls: Array<{ fromSha: string; toSha: string }> = [];
  /** Set to make the next calls of that kind throw. */
  readonly failures: {
    promote?: Error;
    review?: Error;
    compare?: Error;
    resolve?: Error;
  } = {};

  readonly syncCalls: Array<{ targetKey: string; cursor?: string }> = [];

  private readonly webhookSecret: string;
  private readonly promoteDelayMs: number;
  private readonly changeSource: boolean;
  private readonly targetCapabilities?: ProviderCapability[];

  constructor(options: TestDeploymentProviderOptions = {}) {
    this.id = options.id ?? 'test';
    this.webhookSecret = options.webhookSecret ?? 'test-webhook-secret';
    this.promoteDelayMs = options.promoteDelayMs ?? 0;
    this.changeSource = options.changeSource ?? true;
    this.targetCapabilities = options.targetCapabilities;
    const has = new Set(options.capabilities ?? ALL_CAPABILITIES);
    if (has.has('compare')) this.compare = r => this.compareWith(r);
    if (has.has('resolveVersion'))
      this.resolveVersion = r => this.resolveWith(r);
    if (has.has('promote')) this.promote = r => this.promoteWith(r);
    if (has.has('review')) this.review = r => this.reviewWith(r);
    if (has.has('abort')) this.abort = r => this.abortWith(r);
    if (has.has('handleWebhook')) this.handleWebhook = r => this.webhookWith(r);
  }

  /** The annotation this provider reads. */
  get annotation(): string {
    return this.id === 'test'
      ? TEST_TARGET_ANNOTATION
      : `stagecraft.io/${this.id}-target`;
  }

  async targetsOf(entity: Entity): Promise<ProviderTarget[]> {
    const value = entity.metadata.annotations?.[this.annotation];
    if (!value) return [];
    return value
      .split(',')
      .map(part => part.trim())
      .filter(Boolean)
      .map(part => {
        const [key, environments] = part.split('@');
        const names: Record<string, string> = {};
        const covered = environments?.split('|').map(entry => {
          // `production=prod`: the entity's production is the provider's prod.
          const [own, theirs] = entry.split('=');
          if (theirs) names[theirs] = own;
          return own;
        });
        return {
          key,
          routingKeys: [key],
          environments: covered ?? 'all',
          ...(Object.keys(names).length ? { environmentNames: names } : {}),
          changeSource: this.changeSource,
          ...(this.targetCapabilities
            ? { capabilities: this.targetCapabilities }
            : {}),
        };
      });
  }

  async sync(request: {
    target: ProviderTarget;
    cursor?: string;
  }): Promise<ProviderSnapshot> {
    this.syncCalls.push({
      targetKey: request.target.key,
      cursor: request.cursor,
    });
    return (
      this.snapshots.get(request.target.key) ?? {
        deployments: [],
        openGates: [],
      }
    );
  }

  private async compareWith(request: {
    fromSha: string;
    toSha: string;
  }): Promise<ProviderComparison> {
    this.compareCalls.push({
      fromSha: request.fromSha,
      toSha: request.toSha,
    });
    if (this.failures.compare) {
      throw this.failures.compare;
    }
    const known = this.comparisons.get(`${request.fromSha}...${request.toSha}`);
    if (!known) {
      throw new InputError(
        `No comparison of ${request.fromSha}...${request.toSha}`,
      );
    }
    return known;
  }

  private async resolveWith(request: {
    ref: string;
  }): Promise<Version | undefined> {
    if (this.failures.resolve) {
      throw this.failures.resolve;
    }
    return this.versions.get(request.ref);
  }

  private async promoteWith(
    request: ProviderPromoteRequest,
  ): Promise<ProviderActionResult> {
    this.promoteCalls.push(request);
    if (this.promoteDelayMs) {
      await new Promise(resolve => setTimeout(resolve, this.promoteDelayMs));
    }
    if (this.failures.promote) {
      throw this.failures.promote;
    }
    return {
      identity: 'test-app',
      reference: `run-${this.promoteCalls.length}`,
      url: `https://ci.example.com/runs/${this.promoteCalls.length}`,
    };
  }

  private async abortWith(
    request: ProviderAbortRequest,
  ): Promise<ProviderActionResult> {
    this.abortCalls.push(request);
    return {
      identity: 'test-app',
      reference: `abort-${this.abortCalls.length}`,
    };
  }

  private async reviewWith(
    request: ProviderReviewRequest,
  ): Promise<ProviderActionResult> {
    this.reviewCalls.push(request);
    if (this.failures.review) {
      throw this.failures.review;
    }
    return {
      identity: request.userToken
        ? `user-token:${request.actor.split('/').pop()}`
        : 'test-app',
    };
  }

  /** Signs a body the way the provider's webhooks are signed. */
  sign(rawBody: string | Buffer): string {
    return `sha256=${createHmac('sha256', this.webhookSecret)
      .update(rawBody)
      .digest('hex')}`;
  }

  private async webhookWith(
    request: ProviderWebhookRequest,
  ): Promise<ProviderWebhookResult> {
    const given = request.headers[TEST_SIGNATURE_HEADER];
    const expected = this.sign(request.rawBody);
    if (
      typeof given !== 'string' ||
      given.length !== expected.length ||
      !timingSafeEqual(Buffer.from(given), Buffer.from(expected))
    ) {
      throw new AuthenticationError('Webhook signature does not match');
    }
    let payload: any;
    try {
      payload = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new InputError('Webhook body is not JSON');
    }
    return {
      deliveryKey: String(payload.deliveryId),
      events: [
        {
          routingKey: String(payload.targetKey),
          deployments: payload.deployments ?? [],
          openedGates: payload.openedGates,
          closedGateIds: payload.closedGateIds,
          traffic: payload.traffic,
          resync: payload.resync,
        },
      ],
    };
  }
}
