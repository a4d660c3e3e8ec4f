import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deployPipelineProblems, type DeployPipeline } from './deployPipeline';
import { PYTHON_SERVICE_DIR } from './examples';
import {
  actionSchemaProblems,
  workflowSchemaProblems,
} from './workflowValidation';

const WORKFLOW_FILE = join(PYTHON_SERVICE_DIR, '.github/workflows/deploy.yml');
const DEPLOY_ACTION = './.github/actions/deploy-environment';
const DEPLOY_ACTION_FILE = join(
  PYTHON_SERVICE_DIR,
  DEPLOY_ACTION,
  'action.yml',
);

const workflowSource = readFileSync(WORKFLOW_FILE, 'utf8');
const actionSource = readFileSync(DEPLOY_ACTION_FILE, 'utf8');

/** A fresh copy of the real pipeline, to break one thing in. */
function realPipeline(): DeployPipeline & { workflow: any } {
  return {
    workflow: parse(workflowSource),
    localActions: { [DEPLOY_ACTION]: parse(actionSource) },
  };
}

describe('the python-service deploy workflow', () => {
  it('is a valid GitHub Actions workflow', () => {
    expect(workflowSchemaProblems(workflowSource)).toEqual([]);
  });

  it('uses a valid composite action to deploy each environment', () => {
    expect(actionSchemaProblems(actionSource)).toEqual([]);
  });

  it('follows the seed pipeline: tests, one build, dev, staging, approved production', () => {
    expect(deployPipelineProblems(realPipeline())).toEqual([]);
  });

  it('deploys production only through the reviewed "production" environment', () => {
    const { workflow } = realPipeline();
    expect(workflow.jobs['deploy-production'].environment.name).toBe(
      'production',
    );
    expect(workflow.jobs['deploy-production'].needs).toContain(
      'deploy-staging',
    );
    expect(workflow.jobs['deploy-staging'].needs).toContain('deploy-dev');
  });

  it('stores no AWS keys and asks for no secrets at all', () => {
    expect(workflowSource).not.toMatch(/secrets\./);
    expect(actionSource).not.toMatch(/secrets\./);
  });
});

describe('schema validation', () => {
  it('reports a misspelled job key', () => {
    const broken = workflowSource.replace(
      'runs-on: ubuntu-latest',
      'run-on: ubuntu-latest',
    );
    expect(workflowSchemaProblems(broken).join('\n')).toMatch(
      /Additional property 'run-on' is not allowed/,
    );
  });

  it('reports a composite action step without a shell', () => {
    const broken = actionSource.replace('      shell: bash\n', '');
    expect(actionSchemaProblems(broken)).not.toEqual([]);
  });
});

describe('deployPipelineProblems', () => {
  it('reports a production job that is not gated by its environment', () => {
    const pipeline = realPipeline();
    delete pipeline.workflow.jobs['deploy-production'].environment;
    expect(deployPipelineProblems(pipeline)).toContain(
      'exactly one job must deploy to the GitHub environment "production", found 0',
    );
  });

  it('reports staging that does not wait for dev', () => {
    const pipeline = realPipeline();
    pipeline.workflow.jobs['deploy-staging'].needs = ['version'];
    expect(deployPipelineProblems(pipeline)).toContain(
      'job deploy-staging (staging) must list deploy-dev in needs',
    );
  });

  it('reports a build that does not wait for the tests', () => {
    const pipeline = realPipeline();
    delete pipeline.workflow.jobs.build.needs;
    expect(deployPipelineProblems(pipeline)).toContain(
      'the build (build) must wait for the tests (test)',
    );
  });

  it('reports long-lived AWS keys and a missing OIDC permission', () => {
    const pipeline = realPipeline();
    const job = pipeline.workflow.jobs['deploy-dev'];
    delete job.permissions;
    const credentials = job.steps.find((s: any) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials'),
    );
    credentials.with = {
      'aws-access-key-id': '${{ secrets.AWS_ACCESS_KEY_ID }}',
      'aws-secret-access-key': '${{ secrets.AWS_SECRET_ACCESS_KEY }}',
    };
    expect(deployPipelineProblems(pipeline)).toEqual(
      expect.arrayContaining([
        'job deploy-dev needs permissions id-token: write for OIDC credentials',
        'job deploy-dev must get AWS credentials with configure-aws-credentials and role-to-assume',
        'long-lived AWS access keys are used; use OIDC (role-to-assume) instead',
      ]),
    );
  });

  it('reports a dispatch entry without the inputs Stagecraft sends', () => {
    const pipeline = realPipeline();
    delete pipeline.workflow.on.workflow_dispatch.inputs.version;
    pipeline.workflow.on.workflow_dispatch.inputs.environment.options = [
      'dev',
      'production',
    ];
    const problems = deployPipelineProblems(pipeline);
    expect(problems).toContain(
      'workflow_dispatch input "version" (SHA or tag) must exist and be required',
    );
    expect(problems.join('\n')).toMatch(
      /input "environment" must be a choice of dev, staging, production/,
    );
  });

  it('reports deploys that do not record the commit, verify or roll back', () => {
    const pipeline = realPipeline();
    const action = pipeline.localActions![DEPLOY_ACTION] as any;
    const deploy = action.runs.steps.find((s: any) => s.id === 'deploy');
    deploy.run = deploy.run.replace(/--tags .*\n/, '\n');
    expect(deployPipelineProblems(pipeline)).toContain(
      'job deploy-dev must run sam deploy recording the commit (--parameter-overrides GitSha=… and --tags GitSha=…)',
    );

    const withoutRollback = realPipeline();
    const steps = (withoutRollback.localActions![DEPLOY_ACTION] as any).runs
      .steps;
    steps.splice(
      steps.findIndex(
        (s: any) => s.name === 'Roll back to the previous version',
      ),
      1,
    );
    expect(deployPipelineProblems(withoutRollback)).toContain(
      'job deploy-production must redeploy the previous version when verification fails (a step with if: failure() running sam deploy)',
    );
  });

  it('reports deploy jobs whose local action cannot be read', () => {
    const pipeline = realPipeline();
    pipeline.localActions = {};
    expect(deployPipelineProblems(pipeline)).toContain(
      'job deploy-dev must deploy with sam deploy',
    );
  });
});
