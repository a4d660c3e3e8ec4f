import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import type { OwnerMetricsResponse } from '@stagecraft/plugin-deployments-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deploymentsApiRef } from '../../api';
import {
  deploymentsOf,
  DeliveryMetricsView,
  PeriodSelector,
} from './DeliveryMetricsView';
import type { DeploymentSelection } from './MetricsDeploymentsDialog';
import {
  FIGURE_TITLES,
  FigureKey,
  idsOf,
  PeriodDays,
  valueLabel,
} from './metricsFormat';

const KEYS: FigureKey[] = [
  'deployments',
  'leadTime',
  'changeFailureRate',
  'timeToRestore',
];

/** Each owned service's figures, every number listing its deployments. */
const OwnedServicesTable = (props: {
  metrics: OwnerMetricsResponse;
  days: PeriodDays;
  onSelect(selection: DeploymentSelection): void;
}) => (
  <Table size="small" aria-label="Delivery metrics per service">
    <TableHead>
      <TableRow>
        <TableCell>Service</TableCell>
        <TableCell>Taken in</TableCell>
        {KEYS.map(key => (
          <TableCell key={key}>{FIGURE_TITLES[key]}</TableCell>
        ))}
      </TableRow>
    </TableHead>
    <TableBody>
      {props.metrics.entities.map(row => (
        <TableRow key={row.entityRef}>
          <TableCell component="th" scope="row" role="rowheader">
            <EntityRefLink entityRef={row.entityRef} />
          </TableCell>
          <TableCell>{row.environment}</TableCell>
          {KEYS.map(key => (
            <TableCell key={key}>
              <Button
                size="small"
                style={{ textTransform: 'none' }}
                aria-label={`${FIGURE_TITLES[key]} of ${
                  row.entityRef
                }: ${valueLabel(row.figures, key)}, list the deployments`}
                onClick={() =>
                  props.onSelect({
                    title: `${FIGURE_TITLES[key]} of ${row.entityRef}, last ${
                      props.days
                    } days: ${valueLabel(row.figures, key)}`,
                    deployments: deploymentsOf(
                      props.metrics.deployments.filter(
                        d => d.entityRef === row.entityRef,
                      ),
                      idsOf(row.figures, key),
                    ),
                  })
                }
              >
                {valueLabel(row.figures, key)}
              </Button>
            </TableCell>
          ))}
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

/**
 * For a group (or user) page: the delivery metrics (DORA) over every
 * service it owns that the viewer may see, each in the last environment of
 * its own promotion path, and each service's own figures.
 */
export const EntityDeliveryMetricsCard = (props: { owner?: string }) => {
  const { entity } = useEntity();
  const owner = props.owner ?? stringifyEntityRef(entity);
  const api = useApi(deploymentsApiRef);
  const [days, setDays] = useState<PeriodDays>(90);
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    if (!api.getOwnerMetrics) return undefined;
    return api.getOwnerMetrics({ owner, period: `${days}d` });
  }, [api, owner, days]);

  if (!api.getOwnerMetrics) return null;
  let body;
  if (loading && !value) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else if (!value || value.deployments.length === 0) {
    body = (
      <Typography variant="body2" color="textSecondary">
        {value && value.entities.length === 0
          ? 'Owns no service you can see.'
          : `No deployments into the last environment of its services in the last ${days} days or the ${days} before.`}
      </Typography>
    );
  } else {
    const environments = [...new Set(value.entities.map(e => e.environment))];
    body = (
      <DeliveryMetricsView
        metrics={value}
        days={days}
        environmentLabel={`the last environment of each service (${environments.join(
          ', ',
        )})`}
        showEntity
      >
        {select => (
          <>
            <OwnedServicesTable metrics={value} days={days} onSelect={select} />
            {value.truncated && (
              <Typography variant="caption" color="textSecondary">
                The first {value.entities.length} services owned.
              </Typography>
            )}
          </>
        )}
      </DeliveryMetricsView>
    );
  }
  return (
    <InfoCard
      title="Delivery metrics"
      // The period selector goes below the title when both do not fit beside.
      headerStyle={{ flexWrap: 'wrap', rowGap: 8 }}
      subheader={`Across the ${
        value?.entities.length ?? ''
      } services owned`.replace('  ', ' ')}
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
