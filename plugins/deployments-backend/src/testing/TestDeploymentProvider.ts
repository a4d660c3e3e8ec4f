import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Entity } from '@backstage/catalog-model';
import { AuthenticationError, InputError } from '@backstage/errors';
import type {
  DeploymentProvider,
  ProviderActionResult,
  ProviderComparison,
  ProviderPromoteRequest,
  ProviderReviewRequest,
  ProviderSnapshot,
  ProviderTarget,
  ProviderWebhookRequest,
  ProviderWebhookResult,
} from '@stagecraft/plugin-deployments-node';
import type { Version } from '@stagecraft/plugin-deployments-common';

/** The annotation that points an entity at the test provider. */
export const TEST_TARGET_ANNOTATION = 'stagecraft.io/test-target';

/** Header carrying `sha256=<hex HMAC of the raw body>`, like GitHub's. */
export const TEST_SIGNATURE_HEADER = 'x-test-signature';

export interface TestDeploymentProviderOptions {
  id?: string;
  webhookSecret?: string;
  /** Milliseconds `promote` takes, to let tests overlap two requests. */
  promoteDelayMs?: number;
}

/**
 * An in-memory deployment provider for tests of the core: it reports what a
 * test puts in `snapshots`, records every action it is asked to take, and
 * fails on demand. It speaks no network at all.
 */
export class TestDeploymentProvider implements DeploymentProvider {
  readonly id: string;
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

  private readonly webhookSecret: string;
  private readonly promoteDelayMs: number;

  constructor(options: TestDeploymentProviderOptions = {}) {
    this.id = options.id ?? 'test';
    this.webhookSecret = options.webhookSecret ?? 'test-webhook-secret';
    this.promoteDelayMs = options.promoteDelayMs ?? 0;
  }

  targetOf(entity: Entity): ProviderTarget | undefined {
    const key = entity.metadata.annotations?.[TEST_TARGET_ANNOTATION];
    return key ? { key } : undefined;
  }

  async sync(request: { target: ProviderTarget }): Promise<ProviderSnapshot> {
    return (
      this.snapshots.get(request.target.key) ?? {
        deployments: [],
        openGates: [],
      }
    );
  }

  async compare(request: {
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

  async resolveVersion(request: { ref: string }): Promise<Version | undefined> {
    if (this.failures.resolve) {
      throw this.failures.resolve;
    }
    return this.versions.get(request.ref);
  }

  async promote(
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

  async review(request: ProviderReviewRequest): Promise<ProviderActionResult> {
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

  async handleWebhook(
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
    const payload = JSON.parse(request.rawBody.toString('utf8'));
    return {
      deliveryKey: String(payload.deliveryId),
      events: [
        {
          targetKey: String(payload.targetKey),
          deployments: payload.deployments ?? [],
        },
      ],
    };
  }
}
