import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEnvironments } from '../../hooks/useEnvironments';
import { EnvironmentLanes } from '../EnvironmentLanes';

/** The Deployments tab of an entity page. */
export const EntityDeploymentsContent = () => {
  const { entity } = useEntity();
  const { value, loading, error } = useEnvironments(stringifyEntityRef(entity));

  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
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
  return <EnvironmentLanes environments={value.environments} />;
};
