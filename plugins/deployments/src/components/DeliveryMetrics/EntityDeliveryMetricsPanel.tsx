import { useState } from 'react';
import Typography from '@material-ui/core/Typography';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { DeliveryMetrics } from '@stagecraft/plugin-deployments-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deploymentsApiRef } from '../../api';
import { DeliveryMetricsView, PeriodSelector } from './DeliveryMetricsView';
import type { PeriodDays } from './metricsFormat';

/** Whether there is anything to show: a deployment in the period or the one before. */
export function hasDeployments(metrics: DeliveryMetrics): boolean {
  return metrics.deployments.length > 0;
}

/**
 * The entity's delivery metrics (DORA) in the last environment of its
 * promotion path, over 30, 90 or 180 days, with the trend.
 */
export const EntityDeliveryMetricsPanel = (props: { entityRef?: string }) => {
  const { entity } = useEntity();
  const entityRef = props.entityRef ?? stringifyEntityRef(entity);
  const api = useApi(deploymentsApiRef);
  const [days, setDays] = useState<PeriodDays>(90);
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    if (!api.getMetrics) return undefined;
    return api.getMetrics(entityRef, { period: `${days}d` });
  }, [api, entityRef, days]);

  if (!api.getMetrics) return null;
  let body;
  if (loading && !value) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else if (!value || !hasDeployments(value)) {
    body = (
      <Typography variant="body2" color="textSecondary">
        No deployments into {value?.environment ?? 'the last environment'} in
        the last {days} days or the {days} before.
      </Typography>
    );
  } else {
    body = (
      <DeliveryMetricsView
        metrics={value}
        days={days}
        environmentLabel={value.environment}
      />
    );
  }
  return (
    <InfoCard
      title="Delivery metrics"
      // The period selector goes below the title when both do not fit beside.
      headerStyle={{ flexWrap: 'wrap', rowGap: 8 }}
      subheader={`Deployment frequency, lead time, change failure rate and time to restore in ${
        value?.environment ?? 'the last environment'
      }`}
      action={
        <PeriodSelector
          days={days}
          onChange={next => {
            setDays(next);
            if (next === days) retry();
          }}
        />
      }
    >
      {body}
    </InfoCard>
  );
};
