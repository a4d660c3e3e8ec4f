/**
 * What the example's SAM template must guarantee: traffic shifts to a new
 * version gradually (AutoPublishAlias + a canary DeploymentPreference), the
 * shift stops and rolls back on error alarms, and the commit is recorded.
 */

type Json = Record<string, any>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function referencedResource(value: unknown): string | undefined {
  return isObject(value) && typeof value.Ref === 'string'
    ? value.Ref
    : undefined;
}

/** Whether `value` contains `{Ref: name}` anywhere (also inside !Sub strings). */
function mentions(value: unknown, name: string): boolean {
  if (isObject(value)) {
    if (value.Ref === name) return true;
    if (
      typeof value['Fn::Sub'] === 'string' &&
      value['Fn::Sub'].includes(`\${${name}}`)
    ) {
      return true;
    }
    return Object.values(value).some(v => mentions(v, name));
  }
  return Array.isArray(value) && value.some(v => mentions(v, name));
}

/** The text of a name given as a string or as `!Sub 'text-${Var}'`. */
function literalPrefix(name: unknown): string {
  const sub = isObject(name) ? name['Fn::Sub'] : undefined;
  const text = typeof name === 'string' ? name : [sub].flat()[0];
  return typeof text === 'string' ? text : '';
}

function checkAlarms(
  resources: Json,
  functionId: string,
  alarms: unknown,
  problems: string[],
) {
  if (!Array.isArray(alarms) || alarms.length === 0) {
    problems.push(
      `${functionId}: DeploymentPreference must list Alarms that stop a bad canary`,
    );
    return;
  }
  for (const alarm of alarms) {
    const alarmId = referencedResource(alarm);
    const resource = alarmId ? resources[alarmId] : undefined;
    if (resource?.Type !== 'AWS::CloudWatch::Alarm') {
      problems.push(
        `${functionId}: alarm ${JSON.stringify(
          alarm,
        )} must reference an AWS::CloudWatch::Alarm of this template`,
      );
    } else if (resource.Properties?.MetricName !== 'Errors') {
      problems.push(
        `${functionId}: alarm ${alarmId} must watch the function's Errors metric`,
      );
    } else if (!mentions(resource.Properties?.Dimensions, functionId)) {
      problems.push(`${functionId}: alarm ${alarmId} must watch this function`);
    }
  }
}

/** The ways the template departs from the seed pipeline; empty when it conforms. */
export function samTemplateProblems(template: unknown): string[] {
  if (!isObject(template) || !isObject(template.Resources)) {
    return ['the template has no Resources'];
  }
  const problems: string[] = [];
  const resources = template.Resources;
  const transforms = [template.Transform].flat();
  if (!transforms.includes('AWS::Serverless-2016-10-31')) {
    problems.push('Transform must include AWS::Serverless-2016-10-31 (SAM)');
  }
  if (!isObject(template.Parameters?.GitSha)) {
    problems.push('a GitSha parameter must record the deployed commit');
  }
  if (
    !Object.values(template.Outputs ?? {}).some(
      (o: any) => referencedResource(o?.Value) === 'GitSha',
    )
  ) {
    problems.push('an output must return the GitSha parameter');
  }

  const gradualFunctions = Object.entries(resources).filter(
    ([, r]: [string, any]) =>
      r?.Type === 'AWS::Serverless::Function' &&
      isObject(r.Properties?.DeploymentPreference) &&
      r.Properties.DeploymentPreference.Enabled !== false,
  );
  if (gradualFunctions.length === 0) {
    problems.push(
      'no AWS::Serverless::Function has an enabled DeploymentPreference',
    );
  }
  for (const [functionId, resource] of gradualFunctions as Array<
    [string, Json]
  >) {
    const properties = resource.Properties;
    const preference = properties.DeploymentPreference;
    if (!properties.AutoPublishAlias) {
      problems.push(
        `${functionId}: AutoPublishAlias is required for CodeDeploy traffic shifting`,
      );
    }
    if (!/^Canary\d+Percent\d+Minutes$/.test(String(preference.Type))) {
      problems.push(
        `${functionId}: DeploymentPreference Type must be a canary, got ${JSON.stringify(
          preference.Type,
        )}`,
      );
    }
    checkAlarms(resources, functionId, preference.Alarms, problems);
    const hook = referencedResource(preference.Hooks?.PreTraffic);
    if (preference.Hooks?.PreTraffic !== undefined) {
      const hookName = hook
        ? resources[hook]?.Properties?.FunctionName
        : undefined;
      if (!hook || resources[hook]?.Type !== 'AWS::Serverless::Function') {
        problems.push(
          `${functionId}: Hooks.PreTraffic must reference a function of this template`,
        );
      } else if (
        hookName !== undefined &&
        !literalPrefix(hookName).startsWith('CodeDeployHook_')
      ) {
        problems.push(
          `${functionId}: the PreTraffic hook's FunctionName must start with CodeDeployHook_ (CodeDeploy may invoke only those)`,
        );
      }
    }
    if (
      !mentions(properties.Environment, 'GitSha') &&
      !mentions(properties.Tags, 'GitSha')
    ) {
      problems.push(
        `${functionId}: the function must carry the GitSha (environment variable or tag)`,
      );
    }
  }
  return problems;
}
