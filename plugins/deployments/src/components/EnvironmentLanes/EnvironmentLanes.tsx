import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import type { EnvironmentSummary } from '@stagecraft/plugin-deployments-common';

function versionLabel(environment: EnvironmentSummary): string {
  const version = environment.current?.version;
  if (!version) return 'Nothing deployed yet';
  return version.tag ?? version.sha.slice(0, 7);
}

/** One card per environment, in promotion order. */
export const EnvironmentLanes = (props: {
  environments: EnvironmentSummary[];
}) => (
  <Grid container spacing={2}>
    {props.environments.map(environment => (
      <Grid item xs={12} md={4} key={environment.name}>
        <InfoCard title={environment.name}>
          <Typography variant="h6">{versionLabel(environment)}</Typography>
        </InfoCard>
      </Grid>
    ))}
  </Grid>
);
