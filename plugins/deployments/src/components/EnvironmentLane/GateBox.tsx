import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import type {
  EnvironmentSummary,
  PendingGate,
} from '@stagecraft/plugin-deployments-common';
import { versionLabel } from '../../format/version';
import { reviewersLabel } from '../../format/reviewers';
import type { DeploymentPermissions } from '../../hooks/useDeploymentPermissions';
import { ActionButton } from '../ActionButton';
import type { Decision } from '../DecisionDialog';
import { DeploymentStateChip } from '../DeploymentStateChip';
import { RelativeTime } from '../RelativeTime';
import {
  approveAvailability,
  reviewCapability,
  withCapability,
  withPermission,
} from './laneActions';

const useStyles = makeStyles(theme => ({
  gate: {
    marginTop: theme.spacing(2),
    padding: theme.spacing(1.5),
    borderRadius: theme.shape.borderRadius,
    border: `1px solid ${theme.palette.warning.main}`,
  },
  line: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
  muted: { color: theme.palette.text.secondary },
}));

export interface GateBoxProps {
  gate: PendingGate;
  environment: EnvironmentSummary;
  permissions: DeploymentPermissions;
  userEntityRef?: string;
  onDecide: (
    environment: EnvironmentSummary,
    gate: PendingGate,
    decision: Decision,
  ) => void;
}

/** The one statement of what waits at a gate, and the decision buttons. */
export const GateBox = (props: GateBoxProps) => {
  const classes = useStyles();
  const { gate, environment, permissions } = props;
  const reviewers = reviewersLabel(gate.reviewers);
  const review = reviewCapability(environment, gate);
  return (
    <Box
      className={classes.gate}
      role="group"
      aria-label={`Pending gate for ${versionLabel(gate.version)}`}
    >
      <div className={classes.line}>
        <DeploymentStateChip state="waiting" />
        <Typography variant="body2">{versionLabel(gate.version)}</Typography>
      </div>
      {gate.summary && (
        <Typography variant="body2" className={classes.line}>
          {gate.summary}
        </Typography>
      )}
      <Typography variant="body2" className={classes.line}>
        Reviewers: {reviewers || 'any person allowed to approve'}
      </Typography>
      <Typography variant="body2" className={classes.muted}>
        waiting since <RelativeTime value={gate.since} />
        {gate.waitTimerMinutes
          ? ` · wait timer ${gate.waitTimerMinutes} min`
          : ''}
        {gate.requestedBy ? ` · requested by ${gate.requestedBy}` : ''}
        {gate.expiresAt && (
          <>
            {' · '}expires <RelativeTime value={gate.expiresAt} />
          </>
        )}
        {gate.url && (
          <>
            {' · '}
            {/* Underlined: inside muted text, colour alone does not mark a link. */}
            <Link to={gate.url} underline="always">
              open in {gate.provider}
            </Link>
          </>
        )}
      </Typography>
      <Box mt={1}>
        <ActionButton
          variant="contained"
          availability={withPermission(
            permissions.approve,
            'approve deployments of',
            withCapability(
              review,
              environment,
              'decide gates in',
              approveAvailability(gate, props.userEntityRef),
            ),
          )}
          onClick={() => props.onDecide(environment, gate, 'approve')}
        >
          Approve
        </ActionButton>
        <ActionButton
          color="secondary"
          availability={withPermission(
            permissions.approve,
            'reject deployments of',
            withCapability(review, environment, 'decide gates in', {
              enabled: true,
            }),
          )}
          onClick={() => props.onDecide(environment, gate, 'reject')}
        >
          Reject
        </ActionButton>
      </Box>
    </Box>
  );
};
