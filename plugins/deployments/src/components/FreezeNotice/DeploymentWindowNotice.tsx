import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import ScheduleIcon from '@material-ui/icons/Schedule';
import type { EnvironmentDeploymentWindow } from '@stagecraft/plugin-deployments-common';
import { formatFreezeEnd } from './FreezeNotice';

/**
 * A deployment window that the environment's provider defines (a
 * CodePipeline DeploymentWindow): "Deploys allowed only Mon–Fri 09:00–17:00
 * Europe/Berlin (CodePipeline)" while it is open, and "Outside the
 * CodePipeline deployment window until Mon 09:00" while the provider holds
 * deploys. Stagecraft does not refuse them; the provider waits.
 */
export const DeploymentWindowNotice = ({
  window,
  environment,
  now,
  timeZone,
}: {
  window: EnvironmentDeploymentWindow;
  environment: string;
  now?: Date;
  timeZone?: string;
}) => {
  const until = window.until
    ? formatFreezeEnd(window.until, { now, timeZone })
    : undefined;
  const allowed = `deploys into ${environment} allowed only ${window.allowed} (${window.label})`;
  return (
    <Box
      display="flex"
      alignItems="center"
      role="status"
      title={`${window.label} holds deploys into ${environment} outside its deployment window; ${allowed}`}
    >
      <ScheduleIcon
        fontSize="small"
        color={window.open ? 'action' : 'primary'}
        aria-hidden
      />
      <Box ml={0.5}>
        <Typography variant="body2" component="span">
          {window.open ? (
            <>
              Deploys allowed only {window.allowed} ({window.label})
            </>
          ) : (
            <>
              Outside the {window.label} deployment window
              {window.until && until ? (
                <>
                  {' '}
                  until <time dateTime={window.until}>{until}</time>
                </>
              ) : null}
              : {allowed}
            </>
          )}
        </Typography>
      </Box>
    </Box>
  );
};
