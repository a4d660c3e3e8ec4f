import type { DescribeAlarmsOutput } from '@aws-sdk/client-cloudwatch';
import { Router } from 'express';
import { AwsCloud } from '../cloud/AwsCloud';
import { AwsServiceError } from '../cloud/errors';
import { createJsonProtocolRouter, page, pageSize } from '../protocols/json';

/** CloudWatch's DescribeAlarms over JSON 1.0 (`GraniteServiceVersion20100801`, query-compatible errors). */
export function createCloudWatchRouter(options: { cloud: AwsCloud }): Router {
  const { cloud } = options;
  return createJsonProtocolRouter({
    version: '1.0',
    target: 'GraniteServiceVersion20100801',
    queryCompatible: true,
    handlers: {
      DescribeAlarms: (input): DescribeAlarmsOutput => {
        const names: unknown = input.AlarmNames;
        if (
          names !== undefined &&
          (!Array.isArray(names) || names.length > 100)
        )
          throw new AwsServiceError(
            'InvalidParameterValue',
            'AlarmNames must be a list of at most 100 names',
          );
        const state = input.StateValue;
        if (
          state !== undefined &&
          !['OK', 'ALARM', 'INSUFFICIENT_DATA'].includes(state)
        )
          throw new AwsServiceError(
            'InvalidParameterValue',
            `StateValue must be OK, ALARM or INSUFFICIENT_DATA, got '${state}'`,
          );
        const size = pageSize(input.MaxRecords, {
          default: 50,
          max: 100,
          name: 'MaxRecords',
          error: 'InvalidParameterValue',
        });
        const alarms = cloud.alarms.filter(
          a =>
            (!Array.isArray(names) || names.includes(a.name)) &&
            (!input.AlarmNamePrefix ||
              a.name.startsWith(String(input.AlarmNamePrefix))) &&
            (!state || a.state === state),
        );
        const { items, next } = page(alarms, {
          token: input.NextToken,
          size,
          invalid: () =>
            new AwsServiceError(
              'InvalidNextToken',
              'The next token specified is invalid.',
            ),
        });
        return {
          MetricAlarms: items.map(a => ({
            AlarmName: a.name,
            AlarmArn: a.arn,
            AlarmDescription: a.description,
            AlarmConfigurationUpdatedTimestamp: new Date(
              a.configurationUpdatedAt,
            ),
            ActionsEnabled: true,
            OKActions: [],
            AlarmActions: [],
            InsufficientDataActions: [],
            StateValue: a.state,
            StateReason: a.stateReason,
            StateUpdatedTimestamp: new Date(a.stateUpdatedAt),
            StateTransitionedTimestamp: new Date(a.stateUpdatedAt),
            MetricName: a.metricName,
            Namespace: a.namespace,
            Statistic: a.statistic,
            Dimensions: a.dimensions.map(d => ({
              Name: d.name,
              Value: d.value,
            })),
            Period: a.period,
            EvaluationPeriods: a.evaluationPeriods,
            Threshold: a.threshold,
            ComparisonOperator: 'GreaterThanThreshold',
            TreatMissingData: 'notBreaching',
          })),
          CompositeAlarms: [],
          NextToken: next,
        };
      },
    },
  });
}
