/**
 * What the example's deploy workflow must guarantee, as checks on the parsed
 * YAML: the seed pipeline's shape (test, build once, dev -> staging ->
 * production behind an approval), OIDC credentials, the commit recorded on
 * every stack, verification and rollback, and the dispatch entry Stagecraft
 * calls to promote.
 */

export const PROMOTION_PATH = ['dev', 'staging', 'production'] as const;

type Json = Record<string, any>;

/** A step of a job, with the steps of local composite actions it uses inlined. */
interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Json;
}

export interface DeployPipeline {
  /** The parsed `.github/workflows/deploy.yml`. */
  workflow: unknown;
  /** Parsed local actions by the path a step `uses` (e.g. `./.github/actions/deploy-environment`). */
  localActions?: Record<string, unknown>;
}

const LONG_LIVED_KEYS =
  /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.map(String) : [];
}

function environmentOf(job: Json): string | undefined {
  const environment = job.environment;
  return isObject(environment) ? environment.name : environment;
}

function stepsOf(job: Json, localActions: Record<string, unknown>): Step[] {
  const steps: Step[] = Array.isArray(job.steps) ? job.steps : [];
  return steps.flatMap(step => {
    const action = step.uses ? localActions[step.uses] : undefined;
    if (isObject(action) && Array.isArray(action.runs?.steps)) {
      return [step, ...(action.runs.steps as Step[])];
    }
    return [step];
  });
}

/** Every job `jobId` waits for, directly or through other jobs. */
function ancestorsOf(jobs: Json, jobId: string, seen = new Set<string>()) {
  for (const need of asList(jobs[jobId]?.needs)) {
    if (!seen.has(need)) {
      seen.add(need);
      ancestorsOf(jobs, need, seen);
    }
  }
  return seen;
}

function mayMintOidcToken(workflow: Json, job: Json): boolean {
  const permissions = job.permissions ?? workflow.permissions;
  return isObject(permissions) && permissions['id-token'] === 'write';
}

function checkDispatchEntry(workflow: Json, problems: string[]) {
  const triggers = workflow.on ?? {};
  if (!asList(triggers.push?.branches).includes('main')) {
    problems.push('the workflow must run on push to main');
  }
  const inputs = triggers.workflow_dispatch?.inputs;
  if (!isObject(inputs)) {
    problems.push(
      'workflow_dispatch with inputs environment and version is missing',
    );
    return;
  }
  const environment = inputs.environment;
  const options = asList(environment?.options);
  if (
    environment?.type !== 'choice' ||
    options.join() !== PROMOTION_PATH.join()
  ) {
    problems.push(
      `workflow_dispatch input "environment" must be a choice of ${PROMOTION_PATH.join(
        ', ',
      )}, got ${JSON.stringify(environment)}`,
    );
  }
  if (!isObject(inputs.version) || inputs.version.required !== true) {
    problems.push(
      'workflow_dispatch input "version" (SHA or tag) must exist and be required',
    );
  }
}

function checkDeployJob(
  workflow: Json,
  jobId: string,
  steps: Step[],
  problems: string[],
) {
  const job = workflow.jobs[jobId];
  if (!mayMintOidcToken(workflow, job)) {
    problems.push(
      `job ${jobId} needs permissions id-token: write for OIDC credentials`,
    );
  }
  const credentials = steps.filter(s =>
    s.uses?.startsWith('aws-actions/configure-aws-credentials'),
  );
  if (!credentials.some(s => s.with?.['role-to-assume'])) {
    problems.push(
      `job ${jobId} must get AWS credentials with configure-aws-credentials and role-to-assume`,
    );
  }
  // The deploy proper: the first `sam deploy` that is not a failure path.
  const deployIndex = steps.findIndex(
    s => /sam deploy/.test(s.run ?? '') && !/failure\(\)/.test(s.if ?? ''),
  );
  if (deployIndex < 0) {
    problems.push(`job ${jobId} must deploy with sam deploy`);
    return;
  }
  const command = (steps[deployIndex].run ?? '').replace(/\\\n/g, ' ');
  if (
    !/--parameter-overrides[^\n]*GitSha=/.test(command) ||
    !/--tags[^\n]*GitSha=/.test(command)
  ) {
    problems.push(
      `job ${jobId} must run sam deploy recording the commit (--parameter-overrides GitSha=… and --tags GitSha=…)`,
    );
  }
  const after = steps.slice(deployIndex + 1);
  const verifyIndex = after.findIndex(
    s => /smoke_test/.test(s.run ?? '') && !/failure\(\)/.test(s.if ?? ''),
  );
  if (verifyIndex < 0) {
    problems.push(
      `job ${jobId} must verify the deploy (smoke test and health check) after sam deploy`,
    );
  }
  const rollback = after
    .slice(verifyIndex + 1)
    .some(
      s => /failure\(\)/.test(s.if ?? '') && /sam deploy/.test(s.run ?? ''),
    );
  if (!rollback) {
    problems.push(
      `job ${jobId} must redeploy the previous version when verification fails (a step with if: failure() running sam deploy)`,
    );
  }
}

/** The ways the pipeline departs from the seed; empty when it conforms. */
export function deployPipelineProblems(pipeline: DeployPipeline): string[] {
  const { workflow, localActions = {} } = pipeline;
  if (!isObject(workflow) || !isObject(workflow.jobs)) {
    return ['the workflow has no jobs'];
  }
  const problems: string[] = [];
  const jobs = workflow.jobs;
  checkDispatchEntry(workflow, problems);

  const stepsByJob = Object.fromEntries(
    Object.entries(jobs).map(([id, job]) => [id, stepsOf(job, localActions)]),
  );
  const findJob = (matches: (steps: Step[]) => boolean) =>
    Object.keys(jobs).find(id => matches(stepsByJob[id]));
  const testJob = findJob(steps =>
    steps.some(s => /pytest|unittest/.test(s.run ?? '')),
  );
  const buildJob = findJob(steps =>
    steps.some(s => /sam package/.test(s.run ?? '')),
  );
  if (!testJob) problems.push('no job runs the unit tests');
  if (!buildJob) problems.push('no job builds and packages (sam package)');
  if (testJob && buildJob && !ancestorsOf(jobs, buildJob).has(testJob)) {
    problems.push(
      `the build (${buildJob}) must wait for the tests (${testJob})`,
    );
  }
  if (buildJob) {
    if (
      !stepsByJob[buildJob].some(s =>
        s.uses?.startsWith('actions/upload-artifact'),
      )
    ) {
      problems.push(
        `the build (${buildJob}) must upload the packaged artifact`,
      );
    }
    if (!mayMintOidcToken(workflow, jobs[buildJob])) {
      problems.push(
        `job ${buildJob} needs permissions id-token: write for OIDC credentials`,
      );
    }
  }

  const deployJobs = PROMOTION_PATH.map(environment => {
    const ids = Object.keys(jobs).filter(
      id => environmentOf(jobs[id]) === environment,
    );
    if (ids.length !== 1) {
      problems.push(
        `exactly one job must deploy to the GitHub environment "${environment}", found ${ids.length}`,
      );
    }
    return ids[0];
  });
  deployJobs.forEach((jobId, index) => {
    if (!jobId) return;
    const environment = PROMOTION_PATH[index];
    if (index === 0) {
      // dev may reach the build through a job that resolves the version.
      if (buildJob && !ancestorsOf(jobs, jobId).has(buildJob)) {
        problems.push(
          `job ${jobId} (${environment}) must wait for the build (${buildJob}) through needs`,
        );
      }
    } else {
      const previous = deployJobs[index - 1];
      if (previous && !asList(jobs[jobId].needs).includes(previous)) {
        problems.push(
          `job ${jobId} (${environment}) must list ${previous} in needs`,
        );
      }
    }
    checkDeployJob(workflow, jobId, stepsByJob[jobId], problems);
  });

  const text = JSON.stringify([workflow, localActions]);
  if (LONG_LIVED_KEYS.test(text)) {
    problems.push(
      'long-lived AWS access keys are used; use OIDC (role-to-assume) instead',
    );
  }
  return problems;
}
