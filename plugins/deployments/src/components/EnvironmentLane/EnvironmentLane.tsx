import Card from '@material-ui/core/Card';
import CardActions from '@material-ui/core/CardActions';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Chip from '@material-ui/core/Chip';
import Divider from '@material-ui/core/Divider';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { Link } from '@backstage/core-components';
import type {
  Deployment,
  EnvironmentSummary,
  PendingGate,
} from '@stagecraft/plugin-deployments-common';
import { rolledBackAttempt } from '../../format/rollback';
import { versionDetail, versionLabel } from '../../format/version';
import type { DeploymentPermissions } from '../../hooks/useDeploymentPermissions';
import { ActionButton } from '../ActionButton';
import type { Decision } from '../DecisionDialog';
import { DeploymentLinks } from '../DeploymentLinks';
import { DeploymentStateChip } from '../DeploymentStateChip';
import { RelativeTime } from '../RelativeTime';
import { GateBox } from './GateBox';
import { LaneHealth } from './LaneHealth';
import {
  abortAvailability,
  promoteAvailability,
  rollbackAvailability,
  rolloutInFlight,
  withCapability,
  withPermission,
} from './laneActions';
import { behindText } from './laneText';
import { RollbackNote } from './RollbackNote';
import { DeploymentWindowNotice, FreezeNotice } from '../FreezeNotice';
import { RolloutStatus } from './RolloutStatus';

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
  ownership: { marginBottom: theme.spacing(1) },
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
  /** Absent when the client cannot send an abort (a backend without the endpoint). */
  onAbort?: (environment: EnvironmentSummary, deployment: Deployment) => void;
  onCompare?: (from: string, to: string) => void;
}

const VersionLine = ({ deployment }: { deployment: Deployment }) => {
  const classes = useStyles();
  const { version } = deployment;
  const label = versionLabel(version);
  const detail = versionDetail(version);
  return (
    <Typography variant="h6" component="p">
      {version.url ? (
        <Link to={version.url} className={classes.version}>
          {label}
        </Link>
      ) : (
        <span className={classes.version}>{label}</span>
      )}
      {detail && <span className={classes.sha}>{detail}</span>}
    </Typography>
  );
};

const hasLinks = (deployment: Deployment) =>
  Boolean(deployment.url || deployment.links?.length);

/** Whether an open gate holds this deployment's version: then the gate box speaks of it. */
const heldAtGate = (environment: EnvironmentSummary, deployment: Deployment) =>
  environment.pendingGates.some(
    gate => gate.version.sha === deployment.version.sha,
  );

/**
 * The latest attempt worth its own line: one that is not what runs now (a
 * first deployment's too) and not the version an open gate already speaks of
 * (the gate box says what waits, once).
 */
function latestAttemptToShow(
  environment: EnvironmentSummary,
): Deployment | undefined {
  const { current, latest } = environment;
  if (!latest || latest.id === current?.id) return undefined;
  return heldAtGate(environment, latest) ? undefined : latest;
}

/** One environment on the promotion path: what runs there, and what can be done. */
export const EnvironmentLane = (props: EnvironmentLaneProps) => {
  const classes = useStyles();
  const { environment, previous, next, permissions } = props;
  const { current } = environment;
  const capabilities = environment.capabilities;
  const latestAttempt = latestAttemptToShow(environment);
  const behind = behindText(environment, previous);
  const inFlight = rolloutInFlight(environment);
  // A deployment held at a gate is not rolling out: Reject is its way out.
  const abortable =
    inFlight && !heldAtGate(environment, inFlight) ? inFlight : undefined;
  // A rollout in flight gets its strategy, traffic and checks under its own line.
  const attemptIsRollout = Boolean(inFlight) && latestAttempt === inFlight;
  const { onAbort } = props;
  // What runs now came back through a rollback of the newest attempt.
  const rolledBack = rolledBackAttempt(environment);

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
        subheader={
          environment.provider
            ? `deployed by ${environment.provider}`
            : undefined
        }
        action={
          environment.requiresApproval ? (
            <Chip size="small" label="approval required" />
          ) : undefined
        }
      />
      <CardContent className={classes.content}>
        {environment.freeze && <FreezeNotice freeze={environment.freeze} />}
        {environment.deploymentWindows?.map(window => (
          <DeploymentWindowNotice
            key={`${window.provider}:${window.allowed}`}
            window={window}
            environment={environment.name}
          />
        ))}
        {environment.ownership?.problem && (
          <Alert severity="warning" role="note" className={classes.ownership}>
            {environment.ownership.problem}
          </Alert>
        )}
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
              {hasLinks(current) && (
                <>
                  {' · '}
                  <DeploymentLinks
                    url={current.url}
                    urlLabel={current.urlLabel}
                    links={current.links}
                  />
                </>
              )}
            </Typography>
          </>
        ) : (
          <Typography variant="h6" component="p" className={classes.muted}>
            Nothing deployed yet
          </Typography>
        )}
        {rolledBack?.rollback && (
          <RollbackNote
            rollback={rolledBack.rollback}
            rolledBack={rolledBack}
            current={current}
          />
        )}
        <LaneHealth current={current} inFlight={inFlight} />
        {!attemptIsRollout && (
          <RolloutStatus
            deployment={inFlight ?? current}
            traffic={environment.traffic}
          />
        )}
        {behind && (
          <Typography variant="body2" className={classes.line}>
            {behind}
          </Typography>
        )}
        {latestAttempt && (
          <Typography variant="body2" component="div" className={classes.line}>
            {attemptIsRollout ? 'Rolling out' : 'Latest attempt'}:{' '}
            {versionLabel(latestAttempt.version)}
            <DeploymentStateChip state={latestAttempt.state} />
            <RelativeTime value={latestAttempt.updatedAt} />
            {hasLinks(latestAttempt) && (
              <DeploymentLinks
                url={latestAttempt.url}
                urlLabel={latestAttempt.urlLabel}
                links={latestAttempt.links}
              />
            )}
          </Typography>
        )}
        {attemptIsRollout && (
          <RolloutStatus
            deployment={latestAttempt}
            traffic={environment.traffic}
          />
        )}
        {latestAttempt?.rollback && !rolledBack && (
          <RollbackNote rollback={latestAttempt.rollback} />
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
              withCapability(
                next.capabilities?.promote,
                next,
                'deploy into',
                promoteAvailability(environment, next),
              ),
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
            withCapability(
              capabilities?.rollback,
              environment,
              'roll back',
              rollbackAvailability(environment),
            ),
          )}
          onClick={() => props.onRollback(environment)}
        >
          Roll back
        </ActionButton>
        {abortable && capabilities?.abort && (
          <ActionButton
            color="secondary"
            availability={withPermission(
              permissions.abort,
              'abort rollouts of',
              withCapability(
                capabilities.abort,
                environment,
                'abort rollouts in',
                abortAvailability(Boolean(onAbort)),
              ),
            )}
            onClick={() => onAbort?.(environment, abortable)}
          >
            Abort rollout
          </ActionButton>
        )}
        {previous && props.onCompare && (
          <ActionButton
            variant="text"
            color="default"
            availability={withCapability(
              capabilities?.compare,
              environment,
              'compare versions in',
              { enabled: true },
            )}
            onClick={() => props.onCompare?.(environment.name, previous.name)}
          >
            Changes from {previous.name}
          </ActionButton>
        )}
      </CardActions>
    </Card>
  );
};
