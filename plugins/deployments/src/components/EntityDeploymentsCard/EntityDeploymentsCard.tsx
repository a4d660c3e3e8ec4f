import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { EnvironmentSummary } from '@stagecraft/plugin-deployments-common';
import { versionLabel } from '../../format/version';
import { useEnvironments } from '../../hooks/useEnvironments';
import { DeploymentStateChip } from '../DeploymentStateChip';
import { RelativeTime } from '../RelativeTime';
import { trafficLine } from '../EnvironmentLane/laneText';

const useStyles = makeStyles(theme => ({
  secondary: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  stale: { color: theme.palette.warning.dark },
}));

const EnvironmentLine = ({
  environment,
}: {
  environment: EnvironmentSummary;
}) => {
  const classes = useStyles();
  const { current } = environment;
  const gates = environment.pendingGates.length;
  const traffic = trafficLine(environment);
  return (
    <ListItem disableGutters divider>
      <ListItemText
        primary={
          <>
            <strong>{environment.name}</strong>
            {' · '}
            {current ? versionLabel(current.version) : 'nothing deployed'}
          </>
        }
        secondaryTypographyProps={{ component: 'div' }}
        secondary={
          <span className={classes.secondary}>
            {current && <DeploymentStateChip state={current.state} />}
            {current && (
              <RelativeTime value={current.finishedAt ?? current.updatedAt} />
            )}
            {gates > 0 && <DeploymentStateChip state="waiting" />}
            {traffic && (
              <Typography variant="body2" component="span">
                {traffic}
              </Typography>
            )}
          </span>
        }
      />
    </ListItem>
  );
};

/** Overview card: what runs in each environment, and what waits at a gate. */
export const EntityDeploymentsCard = () => {
  const classes = useStyles();
  const { entity } = useEntity();
  const { value, loading, error } = useEnvironments(stringifyEntityRef(entity));
  const stale = value?.sync.filter(s => s.stale).map(s => s.provider) ?? [];

  let body;
  if (loading && !value) body = <Progress />;
  else if (error && !value) body = <ResponseErrorPanel error={error} />;
  else if (!value || value.environments.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No deployments"
        description={value?.reason ?? 'Nothing has been deployed yet.'}
      />
    );
  } else {
    body = (
      <>
        <List dense aria-label="Environments">
          {value.environments.map(environment => (
            <EnvironmentLine key={environment.name} environment={environment} />
          ))}
        </List>
        {stale.length > 0 && (
          <Typography variant="caption" className={classes.stale}>
            Data from {stale.join(', ')} may be out of date.
          </Typography>
        )}
      </>
    );
  }
  return <InfoCard title="Deployments">{body}</InfoCard>;
};
