import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudFormationYaml } from './cloudFormationYaml';
import { PYTHON_SERVICE_DIR } from './examples';
import { samTemplateProblems } from './samTemplate';

const TEMPLATE_FILE = join(PYTHON_SERVICE_DIR, 'template.yaml');
const source = readFileSync(TEMPLATE_FILE, 'utf8');

function realTemplate(): any {
  return parseCloudFormationYaml(source);
}

// cfn-lint (with the SAM translator it bundles) is optional on a developer's
// machine; CI images for Python projects usually have it.
const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const hasCfnLint = cfnLint.status === 0;
const ifCfnLint = hasCfnLint ? it : it.skip;

describe('the python-service SAM template', () => {
  it('shifts traffic by canary, stops on error alarms and records the commit', () => {
    expect(samTemplateProblems(realTemplate())).toEqual([]);
  });

  it('publishes to the live alias with Canary10Percent5Minutes', () => {
    const properties = realTemplate().Resources.FraudScoreFunction.Properties;
    expect(properties.AutoPublishAlias).toBe('live');
    expect(properties.DeploymentPreference.Type).toBe(
      'Canary10Percent5Minutes',
    );
    expect(properties.DeploymentPreference.Alarms).toEqual([
      { Ref: 'NewVersionErrorsAlarm' },
      { Ref: 'AliasErrorsAlarm' },
    ]);
  });

  ifCfnLint(
    `passes cfn-lint, SAM transform included ${
      hasCfnLint ? '' : '(skipped: cfn-lint is not on PATH)'
    }`.trim(),
    () => {
      const lint = spawnSync('cfn-lint', ['--', TEMPLATE_FILE], {
        encoding: 'utf8',
        env: { ...process.env, AWS_DEFAULT_REGION: 'eu-west-1' },
      });
      expect(`${lint.stdout}${lint.stderr}`).toBe('');
      expect(lint.status).toBe(0);
    },
    60_000,
  );
});

describe('samTemplateProblems', () => {
  it('reports a function without AutoPublishAlias', () => {
    const template = realTemplate();
    delete template.Resources.FraudScoreFunction.Properties.AutoPublishAlias;
    expect(samTemplateProblems(template)).toEqual([
      'FraudScoreFunction: AutoPublishAlias is required for CodeDeploy traffic shifting',
    ]);
  });

  it('reports an all-at-once deployment', () => {
    const template = realTemplate();
    template.Resources.FraudScoreFunction.Properties.DeploymentPreference.Type =
      'AllAtOnce';
    expect(samTemplateProblems(template)).toEqual([
      'FraudScoreFunction: DeploymentPreference Type must be a canary, got "AllAtOnce"',
    ]);
  });

  it('reports a canary without alarms, or with alarms on something else', () => {
    const withoutAlarms = realTemplate();
    delete withoutAlarms.Resources.FraudScoreFunction.Properties
      .DeploymentPreference.Alarms;
    expect(samTemplateProblems(withoutAlarms)).toEqual([
      'FraudScoreFunction: DeploymentPreference must list Alarms that stop a bad canary',
    ]);

    const throttles = realTemplate();
    throttles.Resources.AliasErrorsAlarm.Properties.MetricName = 'Throttles';
    expect(samTemplateProblems(throttles)).toEqual([
      "FraudScoreFunction: alarm AliasErrorsAlarm must watch the function's Errors metric",
    ]);
  });

  it('reports a PreTraffic hook CodeDeploy may not invoke', () => {
    const template = realTemplate();
    template.Resources.PreTrafficHookFunction.Properties.FunctionName =
      'python-service-pre-traffic';
    expect(samTemplateProblems(template)).toEqual([
      "FraudScoreFunction: the PreTraffic hook's FunctionName must start with CodeDeployHook_ (CodeDeploy may invoke only those)",
    ]);
  });

  it('reports a template that does not record the commit', () => {
    const template = realTemplate();
    delete template.Parameters.GitSha;
    delete template.Outputs.GitSha;
    expect(samTemplateProblems(template)).toEqual([
      'a GitSha parameter must record the deployed commit',
      'an output must return the GitSha parameter',
    ]);
  });
});
