import { z } from 'zod';
import { DEPLOYMENT_ACTIONS, DEPLOYMENT_STATES } from './types';

/**
 * Request shapes of the REST API, validated on the server and used to type
 * the client. Each error names the field it is about.
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * An environment name as it appears on a promotion path.
 *
 * @public
 */
export const environmentNameSchema = z
  .string()
  .regex(NAME, 'must be an environment name (letters, digits, . _ -)');

/**
 * A version reference: a commit SHA (7–40 hex digits) or a tag name.
 *
 * @public
 */
export const versionRefSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/+-]*$/, 'must be a commit SHA or a tag');

/** A date, or a date and time, in ISO 8601 (`2026-12-01`, `2026-12-01T14:02:00Z`). */
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO-8601 date or time. Strict on purpose: `Date.parse` also reads
 * `0` or `-1` as years, which no caller means.
 *
 * @public
 */
export const isoDateSchema = z
  .string()
  .refine(
    v => ISO_8601.test(v) && !Number.isNaN(Date.parse(v)),
    'must be an ISO-8601 date',
  );
const isoDate = isoDateSchema;

const limit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** Comma-separated list, or a repeated query parameter. */
const listOf = <T extends z.ZodTypeAny>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform(v => (Array.isArray(v) ? v : v.split(',')).filter(Boolean))
    .pipe(z.array(item));

/** @public */
export const entityParamsSchema = z.object({
  kind: z.string().regex(NAME, 'must be an entity kind'),
  namespace: z.string().regex(NAME, 'must be an entity namespace'),
  name: z.string().regex(NAME, 'must be an entity name'),
});

/**
 * What the environments route can carry besides the lanes, so that opening
 * the tab is one request: the caller's action permissions on the entity and
 * the timeline's first page.
 *
 * @public
 */
export const ENVIRONMENTS_INCLUDES = ['permissions', 'timeline'] as const;

/** @public */
export const environmentsQuerySchema = z
  .object({
    include: listOf(z.enum(ENVIRONMENTS_INCLUDES)).optional(),
    /** Rows of the included timeline page (the timeline route's `limit`). */
    timelineLimit: limit(200, 50),
  })
  .strict();
/** @public */
export type EnvironmentsQuery = z.input<typeof environmentsQuerySchema>;

/**
 * Outcomes the timeline can be narrowed to: a deployment rolled back
 * (automatically or by someone), or one whose verification failed (a check,
 * alarm or smoke test reported failing).
 *
 * @public
 */
export const TIMELINE_OUTCOMES = ['rolled-back', 'failed-verification'] as const;
/** @public */
export type TimelineOutcome = (typeof TIMELINE_OUTCOMES)[number];

/** @public */
export const timelineQuerySchema = z
  .object({
    limit: limit(200, 50),
    cursor: z.string().max(200).optional(),
    environment: listOf(environmentNameSchema).optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
    /** Only versions with a cell of this outcome (any of them). */
    outcome: listOf(z.enum(TIMELINE_OUTCOMES)).optional(),
  })
  .strict();
/** @public */
export type TimelineQuery = z.input<typeof timelineQuerySchema>;

/** @public */
export const diffQuerySchema = z
  .object({ from: versionRefSchema, to: versionRefSchema })
  .strict();
/** @public */
export type DiffQuery = z.input<typeof diffQuerySchema>;

/** @public */
export const auditQuerySchema = z
  .object({
    limit: limit(500, 50),
    cursor: z.string().max(200).optional(),
    environment: listOf(environmentNameSchema).optional(),
    action: listOf(
      z.enum(DEPLOYMENT_ACTIONS as [string, ...string[]]),
    ).optional(),
    outcome: listOf(
      z.enum([
        'requested',
        'approved',
        'rejected',
        'executed',
        'failed',
        'refused',
      ]),
    ).optional(),
    actor: z
      .string()
      .max(200)
      // PostgreSQL refuses NUL in text; no actor has control characters.
      .refine(
        v => [...v].every(c => c.charCodeAt(0) >= 0x20),
        'must not contain control characters',
      )
      .optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();
/** @public */
export type AuditQuery = z.input<typeof auditQuerySchema>;

const comment = z.string().trim().max(2000, 'must be at most 2000 characters');

/**
 * Body of `POST …/promote` and `POST …/rollback`.
 *
 * @public
 */
export const promoteBodySchema = z
  .object({
    environment: environmentNameSchema,
    /** Commit SHA or tag; for promote, defaults to the previous environment's current version. */
    version: versionRefSchema.optional(),
    comment: comment.optional(),
    /** Given with `deployments.override` to skip the promotion order rule or a freeze window. */
    overrideReason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();
/** @public */
export type PromoteBody = z.input<typeof promoteBodySchema>;

/**
 * Body of `POST …/approve` and `POST …/reject`.
 *
 * @public
 */
export const decisionBodySchema = z
  .object({
    /** The pending gate to decide (`PendingGate.id`). */
    gateId: z.string().min(1).max(200),
    comment,
    /** Given with `deployments.override` to approve into a frozen environment. */
    overrideReason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();
/** @public */
export type DecisionBody = z.input<typeof decisionBodySchema>;

/**
 * Body of `POST …/abort`: stop one rollout in flight.
 *
 * @public
 */
export const abortBodySchema = z
  .object({
    /** The environment the rollout is in. */
    environment: environmentNameSchema,
    /** The in-flight deployment (`Deployment.id`, `<provider>:<id>`). */
    deploymentId: z
      .string()
      .max(300, 'must be at most 300 characters')
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_-]*:\S+$/,
        'must be a deployment id (<provider>:<id>)',
      ),
    /** Ask the provider to put the previous version back. */
    rollback: z.boolean().default(true),
    /** Why the rollout is stopped: required, it is what the audit log keeps. */
    comment: comment.pipe(
      z.string().min(1, 'must say why the rollout is stopped'),
    ),
  })
  .strict();
/** @public */
export type AbortBody = z.input<typeof abortBodySchema>;

/**
 * Header that makes an action safe to retry.
 *
 * @public
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** @public */
export const idempotencyKeySchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'may hold letters, digits and . _ : - only');

/** @public */
export const deploymentStateSchema = z.enum(
  DEPLOYMENT_STATES as [string, ...string[]],
);

/**
 * Flattens a zod error into one sentence that names each bad field.
 *
 * @public
 */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map(issue => {
      const field = issue.path.join('.') || 'request';
      return `${field} ${issue.message
        .charAt(0)
        .toLowerCase()}${issue.message.slice(1)}`;
    })
    .join('; ');
}
