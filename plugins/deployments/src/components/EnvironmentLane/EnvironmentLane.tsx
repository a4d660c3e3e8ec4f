import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardActions from '@material-ui/core/CardActions';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Chip from '@material-ui/core/Chip';
import Divider from '@material-ui/core/Divider';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import type {
  Deployment,
  EnvironmentSummary,
  PendingGate,
} from '@stagecraft/plugin-deployments-common';
import { shortSha, versionLabel } from '../../format/version';
import type { DeploymentPermissions } from '../../hooks/useDeploymentPermissions';
import { ActionButton } from '../ActionButton';
import type { Decision } from '../DecisionDialog';
import { DeploymentStateChip } from '../DeploymentStateChip';
import { RelativeTime } from '../RelativeTime';
import {
  approveAvailability,
  promoteAvailability,
  rollbackAvailability,
  withPermission,
} from './laneActions';

const useStyles = makeStyles(theme => ({
  card: { height: '100%', display: 'flex', flexDirection: 'column' },
  content: { flexGrow: 1 },
  version: { fontFamily: theme.typography.fontFamily, fontWeight: 600 },
  sha: {
    fontFamily: 'monospace',
    color: theme.palette.text.secondary,
    marginLeft: theme.spacing(1),
  },
  line: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
  muted: { color: theme.palette.text.secondary },
  gate: {
    marginTop: theme.spacing(2),
    padding: theme.spacing(1.5),
    borderRadius: theme.shape.borderRadius,
    border: `1px solid ${theme.palette.warning.main}`,
  },
  // The Backstage theme right-aligns card actions; lanes read left to right.
  actions: {
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    justifyContent: 'flex-start',
  },
}));

export interface EnvironmentLaneProps {
  entityRef: string;
  environment: EnvironmentSummary;
  /** The environment before this one on the promotion path. */
  previous?: EnvironmentSummary;
  /** The environment after this one: where "Promote" sends the version. */
  next?: EnvironmentSummary;
  permissions: DeploymentPermissions;
  userEntityRef?: string;
  onPromote: (source: EnvironmentSummary, target: EnvironmentSummary) => void;
  onDecide: (
    environment: EnvironmentSummary,
    gate: PendingGate,
    decision: Decision,
  ) => void;
  onRollback: (environment: EnvironmentSummary) => void;
  onCompare?: (from: string, to: string) => void;
}

const VersionLine = ({ deployment }: { deployment: Deployment }) => {
  const classes = useStyles();
  const { version } = deployment;
  const label = versionLabel(version);
  return (
    <Typography variant="h6" component="p">
      {version.url ? (
        <Link to={version.url} className={classes.version}>
          {label}
        </Link>
      ) : (
        <span className={classes.version}>{label}</span>
      )}
      {version.tag && (
        <span className={classes.sha}>{shortSha(version.sha)}</span>
      )}
    </Typography>
  );
};

function strategyText(deployment: Deployment): string | undefined {
  const strategy = deployment.strategy;
  if (!strategy) return undefined;
  if (strategy.trafficPercent === undefined) return strategy.type;
  return `${strategy.type} · ${strategy.trafficPercent}% traffic`;
}

function behindText(
  environment: EnvironmentSummary,
  previous?: EnvironmentSummary,
): string | undefined {
  const behind = environment.behindPrevious;
  if (!previous || !behind) return undefined;
  const parts: string[] = [];
  if (behind.commits !== undefined) {
    parts.push(`${behind.commits} commit${behind.commits === 1 ? '' : 's'}`);
  }
  if (behind.days !== undefined) {
    parts.push(`${behind.days} day${behind.days === 1 ? '' : 's'}`);
  }
  if (parts.length === 0) return undefined;
  if (behind.commits === 0) return `Up to date with ${previous.name}`;
  return `${parts.join(' · ')} behind ${previous.name}`;
}

const GateBox = (props: {
  gate: PendingGate;
  environment: EnvironmentSummary;
  permissions: DeploymentPermissions;
  userEntityRef?: string;
  onDecide: EnvironmentLaneProps['onDecide'];
}) => {
  const classes = useStyles();
  const { gate, permissions } = props;
  const reviewers = gate.reviewers.map(r => `@${r.name}`).join(', ');
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
      <Typography variant="body2" className={classes.line}>
        Reviewers: {reviewers || 'any person allowed to approve'}
      </Typography>
      <Typography variant="body2" className={classes.muted}>
        waiting since <RelativeTime value={gate.since} />
        {gate.waitTimerMinutes
          ? ` · wait timer ${gate.waitTimerMinutes} min`
          : ''}
        {gate.requestedBy ? ` · requested by ${gate.requestedBy}` : ''}
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
            approveAvailability(gate, props.userEntityRef),
          )}
          onClick={() => props.onDecide(props.environment, gate, 'approve')}
        >
          Approve
        </ActionButton>
        <ActionButton
          color="secondary"
          availability={withPermission(
            permissions.approve,
            'reject deployments of',
            { enabled: true },
          )}
          onClick={() => props.onDecide(props.environment, gate, 'reject')}
        >
          Reject
        </ActionButton>
      </Box>
    </Box>
  );
};

/** One environment on the promotion path: what runs there, and what can be done. */
export const EnvironmentLane = (props: EnvironmentLaneProps) => {
  const classes = useStyles();
  const { environment, previous, next, permissions } = props;
  const { current, latest } = environment;
  const failedLatest =
    latest && current && latest.id !== current.id ? latest : undefined;
  const behind = behindText(environment, previous);

  return (
    <Card
      variant="outlined"
      className={classes.card}
      component="section"
      aria-label={`Environment ${environment.name}`}
    >
      <CardHeader
        title={environment.name}
        titleTypographyProps={{ variant: 'h5', component: 'h3' }}
        action={
          environment.requiresApproval ? (
            <Chip size="small" label="approval required" />
          ) : undefined
        }
      />
      <CardContent className={classes.content}>
        {current ? (
          <>
            <VersionLine deployment={current} />
            <div className={classes.line}>
              <DeploymentStateChip state={current.state} />
              <Typography variant="body2">
                <RelativeTime value={current.finishedAt ?? current.updatedAt} />
              </Typography>
            </div>
            <Typography variant="body2" className={classes.line}>
              {current.triggeredBy ? `by ${current.triggeredBy} · ` : ''}
              {current.provider}
              {current.url && (
                <>
                  {' · '}
                  <Link to={current.url}>
                    run {current.providerDeploymentId}
                  </Link>
                </>
              )}
            </Typography>
            {strategyText(current) && (
              <Typography variant="body2" className={classes.muted}>
                {strategyText(current)}
              </Typography>
            )}
          </>
        ) : (
          <Typography variant="h6" component="p" className={classes.muted}>
            Nothing deployed yet
          </Typography>
        )}
        {behind && (
          <Typography variant="body2" className={classes.line}>
            {behind}
          </Typography>
        )}
        {failedLatest && (
          <Typography variant="body2" component="div" className={classes.line}>
            Latest attempt: {versionLabel(failedLatest.version)}
            <DeploymentStateChip state={failedLatest.state} />
            <RelativeTime value={failedLatest.updatedAt} />
          </Typography>
        )}
        {environment.pendingGates.map(gate => (
          <GateBox
            key={gate.id}
            gate={gate}
            environment={environment}
            permissions={permissions}
            userEntityRef={props.userEntityRef}
            onDecide={props.onDecide}
          />
        ))}
      </CardContent>
      <Divider />
      <CardActions className={classes.actions} disableSpacing>
        {next && (
          <ActionButton
            variant="contained"
            availability={withPermission(
              permissions.promote,
              'promote',
              promoteAvailability(environment, next),
            )}
            onClick={() => props.onPromote(environment, next)}
          >
            Promote to {next.name}
          </ActionButton>
        )}
        <ActionButton
          availability={withPermission(
            permissions.rollback,
            'roll back',
            rollbackAvailability(environment),
          )}
          onClick={() => props.onRollback(environment)}
        >
          Roll back
        </ActionButton>
        {previous && props.onCompare && (
          <Button
            size="small"
            onClick={() => props.onCompare?.(environment.name, previous.name)}
          >
            Changes from {previous.name}
          </Button>
        )}
      </CardActions>
    </Card>
  );
};
