import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { AuthenticationError, InputError } from '@backstage/errors';
import { describeZodError } from '@stagecraft/plugin-deployments-common';
import type {
  DeploymentProvider,
  ProviderDeployment,
  ProviderSnapshot,
  ProviderTarget,
  ProviderWebhookRequest,
  ProviderWebhookResult,
} from '@stagecraft/plugin-deployments-node';
import {
  PUSH_ENTITY_DEFAULTS,
  PushEvent,
  pushEventSchema,
} from './pushEventSchema';
import type { PushSource } from './pushSources';

/**
 * The annotation by which an entity accepts pushed deployments from one or
 * more push sources, by id, comma-separated (e.g. `jenkins` or
 * `jenkins,argocd`).
 */
export const PUSH_SOURCE_ANNOTATION = 'stagecraft.io/push-source';

/** Carries the push route's seal of an event it authenticated and validated. */
export const PUSH_SEAL_HEADER = 'x-stagecraft-push-seal';

/** The entity ref an event names, as the ledger keys entities (lowercase, with kind and namespace). */
export function pushEntityRef(entity: string): string {
  return stringifyEntityRef(
    parseEntityRef(entity, PUSH_ENTITY_DEFAULTS),
  ).toLocaleLowerCase('en-US');
}

/** Delivery keys are stored in 255 characters; longer keys are hashed. */
const MAX_KEY_LENGTH = 200;

/**
 * What makes a replay of an event a replay: the source's event id, else the
 * deployment, its state and the time the source gave (so a retried request
 * of a step without `eventId` and `at` is still stored once).
 */
export function pushDeliveryKey(event: PushEvent): string {
  const key =
    event.eventId !== undefined
      ? `event:${event.eventId}`
      : `deployment:${event.deploymentId}:${event.state}:${event.at ?? ''}`;
  return key.length <= MAX_KEY_LENGTH
    ? key
    : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** The deployment an event reports, in the source's environment name. */
export function pushedDeployment(
  event: PushEvent,
  receivedAt: string,
): ProviderDeployment {
  const at = event.at ?? receivedAt;
  const { sha, tag, message, url, artifact } = event.version;
  return {
    providerDeploymentId: event.deploymentId,
    environment: event.environment,
    version: {
      ...(sha ? { sha: sha.toLowerCase() } : {}),
      ...(tag ? { tag } : {}),
      ...(message ? { message } : {}),
      ...(url ? { url } : {}),
      ...(artifact ? { artifact } : {}),
    },
    statuses: [
      {
        state: event.state,
        at,
        ...(event.description ? { description: event.description } : {}),
        ...(event.logUrl ? { logUrl: event.logUrl } : {}),
      },
    ],
    createdAt: event.startedAt ?? at,
    updatedAt: at,
    ...(event.triggeredBy ? { triggeredBy: event.triggeredBy } : {}),
    ...(event.url ? { url: event.url } : {}),
    ...(event.urlLabel ? { urlLabel: event.urlLabel } : {}),
    ...(event.logUrl ? { logUrl: event.logUrl } : {}),
    ...(event.description ? { description: event.description } : {}),
  };
}

/**
 * A system that pushes its deployments to `POST /api/deployments/events`
 * (Jenkins, GitLab CI, Buildkite, Argo CD notifications), as a provider of
 * its own: its deployments are stored and shown under its id, and an entity's
 * environments are owned by it like by any other provider.
 *
 * There is nothing to poll, so `sync` reports no changes. Events arrive
 * through the push route, which authenticates the source's Backstage token
 * and validates the event, then hands it to the core's webhook intake (dedupe
 * by the event's key, environment mapping, ownership, ledger) sealed with a
 * key that lives only in this process. `handleWebhook` refuses anything
 * without that seal, so `POST /webhooks/{id}`, which takes no Backstage
 * token, cannot be used to push.
 */
export class PushDeploymentProvider implements DeploymentProvider {
  readonly id: string;
  private readonly sealKey = randomBytes(32);

  constructor(readonly source: PushSource) {
    this.id = source.id;
  }

  /** One target when the entity's `stagecraft.io/push-source` names this source; routed by the entity ref. */
  async targetsOf(entity: Entity): Promise<ProviderTarget[]> {
    const named = (entity.metadata.annotations?.[PUSH_SOURCE_ANNOTATION] ?? '')
      .split(',')
      .map(name => name.trim())
      .filter(Boolean);
    if (!named.includes(this.id)) return [];
    return [
      {
        key: this.id,
        routingKeys: [stringifyEntityRef(entity).toLocaleLowerCase('en-US')],
        environments: 'all',
        ...(this.source.environmentNames
          ? { environmentNames: this.source.environmentNames }
          : {}),
      },
    ];
  }

  /** Nothing to poll: everything this source knows arrived as events. */
  async sync(): Promise<ProviderSnapshot> {
    return { deployments: [], openGates: [] };
  }

  /** The seal the push route puts on an event body it accepted. */
  seal(rawBody: Buffer): string {
    return createHmac('sha256', this.sealKey).update(rawBody).digest('hex');
  }

  async handleWebhook(
    request: ProviderWebhookRequest,
  ): Promise<ProviderWebhookResult> {
    const given = request.headers[PUSH_SEAL_HEADER];
    const expected = Buffer.from(this.seal(request.rawBody), 'hex');
    const actual =
      typeof given === 'string' && /^[0-9a-f]{64}$/.test(given)
        ? Buffer.from(given, 'hex')
        : undefined;
    if (!actual || !timingSafeEqual(actual, expected)) {
      throw new AuthenticationError(
        `Push source '${this.id}' takes events at POST /api/deployments/events with its Backstage token, not as webhooks`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new InputError('Invalid push event: it is not valid JSON');
    }
    const parsed = pushEventSchema.safeParse(body);
    if (!parsed.success) {
      throw new InputError(
        `Invalid push event: ${describeZodError(parsed.error)}`,
      );
    }
    const event = parsed.data;
    return {
      deliveryKey: pushDeliveryKey(event),
      events: [
        {
          routingKey: pushEntityRef(event.entity),
          deployments: [pushedDeployment(event, new Date().toISOString())],
        },
      ],
    };
  }
}
