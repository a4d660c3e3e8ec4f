import type { ActionsRegistryActionOptions } from '@backstage/backend-plugin-api/alpha';

/**
 * The schemas of the registry's actions, built with the zod the registry
 * hands over (it turns them into the JSON Schema MCP clients see).
 *
 * Inputs give each field's type and meaning; the REST API's own schemas then
 * validate the values, so a bad value gets the message REST gives it.
 * Outputs name the fields a client relies on and let every other field of
 * the REST answer through (`passthrough`): the registry strips what an
 * output schema does not allow.
 */
export type Zod = Parameters<
  ActionsRegistryActionOptions<any, any>['schema']['input']
>[0];

/** Outcomes of a write (see `ActionOutcome`). */
export const WRITE_OUTCOMES = [
  'executed',
  'held',
  'decided',
  'forbidden',
  'refused',
  'conflict',
  'provider-failed',
] as const;

export const entityRefInput = (z: Zod) =>
  z
    .string()
    .describe(
      'The catalog entity, as kind:namespace/name, e.g. component:default/payments-api',
    );

export const idempotencyKeyInput = (z: Zod) =>
  z
    .string()
    .describe(
      'A key unique to this intent, 8 to 200 letters, digits or . _ : - (e.g. a UUID). The same key with the same input replays the first outcome instead of acting again; the same key with other input is refused. Shared with the REST API’s Idempotency-Key.',
    );

export const versionSchema = (z: Zod) =>
  z
    .object({
      sha: z.string().describe('Commit SHA'),
      tag: z.string().optional().describe('Tag or release name'),
      message: z.string().optional(),
      url: z.string().optional(),
    })
    .passthrough();

const deploymentSchema = (z: Zod) =>
  z
    .object({
      id: z.string(),
      provider: z.string(),
      environment: z.string(),
      version: versionSchema(z),
      state: z.string().describe('Latest state, e.g. success or in_progress'),
      createdAt: z.string(),
      updatedAt: z.string(),
      finishedAt: z.string().optional(),
      triggeredBy: z.string().optional(),
      url: z.string().optional().describe('The run, pipeline or deployment'),
    })
    .passthrough();

export const pendingGateSchema = (z: Zod) =>
  z
    .object({
      id: z.string().describe('What approve and reject take as gateId'),
      kind: z.enum(['provider', 'portal']),
      provider: z.string(),
      entityRef: z.string(),
      environment: z.string(),
      version: versionSchema(z),
      reviewers: z.array(
        z.object({ type: z.string(), name: z.string() }).passthrough(),
      ),
      since: z.string(),
      requestedBy: z.string().optional(),
      url: z.string().optional(),
    })
    .passthrough();

export const environmentsSchema = (z: Zod) =>
  z
    .object({
      entityRef: z.string(),
      environments: z.array(
        z
          .object({
            name: z.string(),
            position: z.number(),
            current: deploymentSchema(z)
              .optional()
              .describe('What runs there: the newest successful deployment'),
            latest: deploymentSchema(z)
              .optional()
              .describe('The newest attempt, of any state'),
            pendingGates: z.array(pendingGateSchema(z)),
            requiresApproval: z.boolean(),
            behindPrevious: z
              .object({
                commits: z.number().optional(),
                days: z.number().optional(),
              })
              .optional(),
            provider: z.string().optional(),
          })
          .passthrough(),
      ),
      sync: z.array(
        z
          .object({
            provider: z.string(),
            lastSuccessAt: z.string().optional(),
            stale: z.boolean(),
          })
          .passthrough(),
      ),
      reason: z
        .string()
        .optional()
        .describe(
          'Why there is nothing to show, when no provider knows the entity',
        ),
      permissions: z
        .object({
          promote: z.boolean(),
          approve: z.boolean(),
          rollback: z.boolean(),
          abort: z.boolean(),
          override: z.boolean(),
        })
        .optional()
        .describe('What the caller may do on this entity'),
    })
    .passthrough();

export const timelineSchema = (z: Zod) =>
  z
    .object({
      entityRef: z.string(),
      environments: z.array(z.string()),
      rows: z.array(
        z
          .object({
            version: versionSchema(z),
            firstSeenAt: z.string(),
            cells: z
              .record(
                z.string(),
                z
                  .object({
                    deploymentId: z.string(),
                    state: z.string(),
                    startedAt: z.string(),
                    finishedAt: z.string().optional(),
                    durationSeconds: z.number().optional(),
                    triggeredBy: z.string().optional(),
                    attempts: z.number(),
                  })
                  .passthrough()
                  .optional(),
              )
              .describe('By environment name: how the version fared there'),
          })
          .passthrough(),
      ),
      nextCursor: z
        .string()
        .optional()
        .describe('Pass as cursor for the next page; absent on the last page'),
      reason: z.string().optional(),
    })
    .passthrough();

export const changeDiffSchema = (z: Zod) => {
  const end = z.object({ ref: z.string(), sha: z.string() }).passthrough();
  return z
    .object({
      entityRef: z.string(),
      from: end,
      to: end,
      status: z.enum(['ahead', 'behind', 'identical', 'diverged']),
      aheadBy: z.number(),
      behindBy: z.number(),
      totalCommits: z.number(),
      commits: z.array(
        z
          .object({
            sha: z.string(),
            message: z.string(),
            author: z.string(),
            date: z.string(),
            url: z.string().optional(),
            pullRequest: z
              .object({
                number: z.number(),
                title: z.string(),
                url: z.string(),
              })
              .passthrough()
              .optional(),
          })
          .passthrough(),
      ),
      files: z.array(
        z
          .object({
            filename: z.string(),
            status: z.string(),
            additions: z.number(),
            deletions: z.number(),
          })
          .passthrough(),
      ),
      additions: z.number(),
      deletions: z.number(),
      url: z.string().optional(),
      reason: z
        .string()
        .optional()
        .describe('Why no diff could be computed, when none could'),
    })
    .passthrough();
};

/** A version exactly as `Version` has it, for the writes' fully typed output. */
const exactVersionSchema = (z: Zod) =>
  z.object({
    sha: z.string().describe('Commit SHA'),
    tag: z.string().optional().describe('Tag or release name'),
    message: z.string().optional(),
    url: z.string().optional(),
    artifact: z
      .object({ kind: z.string(), id: z.string(), url: z.string().optional() })
      .optional(),
    commitUnknown: z.boolean().optional(),
  });

export const writeOutcomeSchema = (z: Zod) =>
  z.object({
    done: z
      .boolean()
      .describe(
        'True when the action was carried out, decided or is held for an approval; false when it was stopped',
      ),
    outcome: z
      .enum(WRITE_OUTCOMES)
      .describe(
        'executed: the provider carried it out; held: it waits for an approval; decided: a gate was decided; forbidden: the caller lacks the permission; refused: a policy or a missing provider capability refused it; conflict: another action collides with it; provider-failed: the provider could not carry it out',
      ),
    statusCode: z
      .number()
      .int()
      .describe('The HTTP status the REST API answers the same call with'),
    replayed: z
      .boolean()
      .describe(
        'True when this is the stored outcome of an earlier call with the same idempotencyKey',
      ),
    message: z.string().describe('What happened, in words'),
    request: z
      .object({
        id: z.string(),
        entityRef: z.string(),
        action: z.enum(['promote', 'approve', 'reject', 'rollback', 'abort']),
        environment: z.string(),
        version: exactVersionSchema(z),
        state: z.enum([
          'pending',
          'approved',
          'rejected',
          'executed',
          'failed',
        ]),
        requestedBy: z.string(),
        requestedAt: z.string(),
        comment: z.string().optional(),
        decidedBy: z.string().optional(),
        decidedAt: z.string().optional(),
        decisionComment: z.string().optional(),
        providerReference: z
          .string()
          .optional()
          .describe("The provider's id for what it started, e.g. a run id"),
        error: z.string().optional(),
      })
      .optional()
      .describe(
        'The promotion request the action made or decided, as it stands',
      ),
    checks: z
      .array(
        z.object({
          rule: z.string(),
          passed: z.boolean(),
          message: z.string(),
        }),
      )
      .describe('Each permission and policy check made, with its verdict'),
  });
