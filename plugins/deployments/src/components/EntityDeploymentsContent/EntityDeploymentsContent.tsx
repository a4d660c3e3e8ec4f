import { lazy, Suspense, useState } from 'react';
import Grid from '@material-ui/core/Grid';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type {
  EnvironmentSummary,
  Version,
} from '@stagecraft/plugin-deployments-common';
import { useEnvironments } from '../../hooks/useEnvironments';
import { TimelinePrefetch } from '../../hooks/useTimeline';
import { AuditHistory } from '../AuditHistory';
import { ChangeDiffView } from '../ChangeDiffView';
import { EnvironmentLanes } from '../EnvironmentLanes';
import { PromotionTimeline } from '../PromotionTimeline';
import { PromotionSkewPanel } from '../PromotionSkewPanel';
import { SyncStatusBar } from '../SyncStatusBar';

// The metrics panel brings the chart library: loaded after the lanes, so
// the tab's own code stays small and its first render does not wait for it.
const EntityDeliveryMetricsPanel = lazy(() =>
  import('../DeliveryMetrics').then(m => ({
    default: m.EntityDeliveryMetricsPanel,
  })),
);

function versionsOnThePath(environments: EnvironmentSummary[]): Version[] {
  return environments.flatMap(env => [
    ...(env.current ? [env.current.version] : []),
    ...env.pendingGates.map(gate => gate.version),
  ]);
}

/** The Deployments tab of an entity page. */
export const EntityDeploymentsContent = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  // One request opens the tab: the environments answer carries the caller's
  // permissions and the timeline's first page, which the timeline takes from
  // this prefetch when it mounts.
  const [timelinePrefetch] = useState(() => new TimelinePrefetch());
  const { value, loading, error, loadedAt, refresh } = useEnvironments(
    entityRef,
    { tab: { prefetch: timelinePrefetch } },
  );
  const [comparison, setComparison] = useState<{
    from: string;
    to: string;
    seq: number;
  }>();
  // Bumped after an action so the timeline and audit log show it too.
  const [actionCount, setActionCount] = useState(0);

  if (loading && !value) return <Progress />;
  if (error && !value) return <ResponseErrorPanel error={error} />;
  if (!value || value.environments.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No deployments"
        description={
          value?.reason ??
          'No deployments have been recorded for this entity yet.'
        }
      />
    );
  }

  const environmentNames = value.environments.map(e => e.name);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SyncStatusBar
          sync={value.sync}
          loadedAt={loadedAt}
          refreshError={error}
          onRefresh={refresh}
        />
        <EnvironmentLanes
          entityRef={entityRef}
          environments={value.environments}
          permissions={value.permissions}
          onActionDone={() => {
            refresh();
            setActionCount(n => n + 1);
          }}
          onCompare={(from, to) =>
            setComparison(c => ({ from, to, seq: (c?.seq ?? 0) + 1 }))
          }
        />
      </Grid>
      <Grid item xs={12}>
        <ChangeDiffView
          key={comparison ? `${comparison.seq}` : 'default'}
          entityRef={entityRef}
          environments={environmentNames}
          versions={versionsOnThePath(value.environments)}
          from={comparison?.from}
          to={comparison?.to}
        />
      </Grid>
      <Grid item xs={12}>
        <PromotionTimeline
          key={`timeline-${actionCount}`}
          entityRef={entityRef}
          environments={environmentNames}
          prefetch={timelinePrefetch}
        />
      </Grid>
      <Grid item xs={12}>
        <PromotionSkewPanel entityRef={entityRef} />
      </Grid>
      <Grid item xs={12}>
        <Suspense fallback={<Progress />}>
          <EntityDeliveryMetricsPanel entityRef={entityRef} />
        </Suspense>
      </Grid>
      <Grid item xs={12}>
        <AuditHistory
          key={`audit-${actionCount}`}
          entityRef={entityRef}
          environments={environmentNames}
        />
      </Grid>
    </Grid>
  );
};
