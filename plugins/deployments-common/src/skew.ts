import { z } from 'zod';
import type { Version } from './types';

/**
 * What the promotion-skew audit found about one deployment:
 * `skipped` — its version never succeeded in the previous environment on the
 * path before the deployment started; `short-soak` — it did, but less than
 * the configured minimum soak time before.
 *
 * @public
 */
export type SkewKind = 'skipped' | 'short-soak';

/** @public */
export const SKEW_KINDS: readonly SkewKind[] = ['skipped', 'short-soak'];

/**
 * A deployment into an environment after the first on the path that did not
 * pass, or did not soak in, the environment before it.
 *
 * @public
 */
export interface SkewFinding {
  entityRef: string;
  environment: string;
  /** The environment before it on the entity's promotion path. */
  previousEnvironment: string;
  /** The deployment's Stagecraft id (`provider:providerDeploymentId`). */
  deploymentId: string;
  provider: string;
  version: Version;
  /** The deployment's latest state. */
  state: string;
  /** When it started rolling out: when it left its gate, else when it was created. */
  startedAt: string;
  kind: SkewKind;
  /** `short-soak`: when the version first succeeded in the previous environment. */
  previousSucceededAt?: string;
  /** `short-soak`: seconds from that success to this deployment's start. */
  soakSeconds?: number;
  /** The minimum soak into this environment, in seconds. */
  minimumSoakSeconds: number;
  /** The deployment's page at its provider, when known. */
  url?: string;
}

/**
 * `GET …/skew` and `GET /skew`: findings newest first. A page may hold fewer
 * than `limit` findings and still have a `nextCursor`: the audit reads a
 * bounded number of deployments per request.
 *
 * @public
 */
export interface SkewResponse {
  findings: SkewFinding[];
  nextCursor?: string;
}

const isoDate = z
  .string()
  .refine(v => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 date');

const listOfKinds = z
  .union([z.string(), z.array(z.string())])
  .transform(v => (Array.isArray(v) ? v : v.split(',')).filter(Boolean))
  .pipe(z.array(z.enum(['skipped', 'short-soak'])));

/**
 * Query of `GET /entities/{kind}/{namespace}/{name}/skew` and `GET /skew`:
 * deployments created within `since`–`until` (both optional), newest first.
 *
 * @public
 */
export const skewQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(200).optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
    kind: listOfKinds.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();
/** @public */
export type SkewQuery = z.input<typeof skewQuerySchema>;
