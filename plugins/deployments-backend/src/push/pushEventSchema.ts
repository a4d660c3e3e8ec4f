import { parseEntityRef } from '@backstage/catalog-model';
import {
  DEPLOYMENT_STATES,
  DeploymentState,
  environmentNameSchema,
} from '@stagecraft/plugin-deployments-common';
import { z } from 'zod';

/**
 * The body of `POST /api/deployments/events`: one deployment's state, as a CI
 * system (Jenkins, GitLab CI, Buildkite, Argo CD notifications) reports it at
 * a step of its job. Unknown fields are refused, so that a misspelt field is
 * named instead of silently dropped. The format is documented, with examples
 * that the tests send, in docs/providers/push.md.
 */

/** The kind and namespace an `entity` without them stands for. */
export const PUSH_ENTITY_DEFAULTS = {
  defaultKind: 'component',
  defaultNamespace: 'default',
} as const;

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

const httpUrl = z
  .string()
  .max(2000, 'must be at most 2000 characters')
  .url('must be a URL')
  .refine(value => /^https?:\/\//i.test(value), 'must be an http or https URL');

const time = z.string().datetime({
  offset: true,
  message: 'must be an ISO-8601 time with a zone, e.g. 2025-01-31T14:02:00Z',
});

const sha = z
  .string()
  .trim()
  .regex(
    /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i,
    'must be the full commit SHA (40 or 64 hex digits)',
  );

const artifactSchema = z
  .object({
    /** e.g. `image`, `build`, `helm-chart`. */
    kind: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
        'must be a short name (letters, digits, . _ -)',
      ),
    /** e.g. an image digest or a build number. */
    id: z
      .string()
      .min(1, 'must not be empty')
      .max(180, 'must be at most 180 characters')
      .regex(/^\S+$/, 'must not contain spaces'),
    url: httpUrl.optional(),
  })
  .strict();

const versionObjectSchema = z
  .object({
    sha: sha.optional(),
    tag: text(100).optional(),
    message: text(500).optional(),
    url: httpUrl.optional(),
    artifact: artifactSchema.optional(),
  })
  .strict()
  .refine(version => version.sha !== undefined || version.artifact, {
    message:
      'is required: the full commit SHA, or an artifact when the commit is unknown',
    path: ['sha'],
  });

/** A version is its commit; a plain string is taken as `{ sha }`. */
const versionSchema = z.preprocess(
  value => (typeof value === 'string' ? { sha: value } : value),
  versionObjectSchema,
);

const entitySchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(300, 'must be at most 300 characters')
  .refine(value => {
    try {
      parseEntityRef(value, PUSH_ENTITY_DEFAULTS);
      return true;
    } catch {
      return false;
    }
  }, 'must be an entity reference such as component:default/payments-api, or a component name');

/** @internal */
export const pushEventSchema = z
  .object({
    /**
     * The source's own id of this event; the same id twice is stored once.
     * Without it, the deployment id, state and `at` make the key.
     */
    eventId: text(200).optional(),
    /** The catalog entity, e.g. `component:default/payments-api` or `payments-api`. */
    entity: entitySchema,
    /** The source's own id of the deployment (job and build number, pipeline and job id); later events about it update it. */
    deploymentId: text(200),
    /** The source's environment name, mapped by the source's `environmentNames`. */
    environment: environmentNameSchema,
    version: versionSchema,
    state: z.enum(
      DEPLOYMENT_STATES as [DeploymentState, ...DeploymentState[]],
      {
        errorMap: () => ({
          message: `must be one of ${DEPLOYMENT_STATES.join(', ')}`,
        }),
      },
    ),
    /** When the deployment reached `state`; the time of receipt when left out. */
    at: time.optional(),
    /** When the deployment started; `at` when left out (the earliest time seen wins). */
    startedAt: time.optional(),
    description: text(1000).optional(),
    /** Who started it (a login or a user entity ref). */
    triggeredBy: text(200).optional(),
    /** The job, pipeline or build page. */
    url: httpUrl.optional(),
    /** What `url` opens, e.g. `build #812`. */
    urlLabel: text(100).optional(),
    logUrl: httpUrl.optional(),
  })
  .strict();

/** A push event as validated. @internal */
export type PushEvent = z.output<typeof pushEventSchema>;
