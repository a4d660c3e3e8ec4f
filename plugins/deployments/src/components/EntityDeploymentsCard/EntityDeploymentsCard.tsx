import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEnvironments } from '../../hooks/useEnvironments';

/** Overview card: what runs in each environment. */
export const EntityDeploymentsCard = () => {
  const { entity } = useEntity();
  const { value, loading, error } = useEnvironments(stringifyEntityRef(entity));
  return (
    <InfoCard title="Deployments">
      {loading && !value && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value?.environments.map(environment => (
        <Typography key={environment.name}>
          {environment.name}:{' '}
          {environment.current?.version.tag ??
            environment.current?.version.sha.slice(0, 7) ??
            'nothing deployed'}
        </Typography>
      ))}
    </InfoCard>
  );
};
