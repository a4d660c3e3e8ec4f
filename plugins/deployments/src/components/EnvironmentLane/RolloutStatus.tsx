import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import ScheduleIcon from '@material-ui/icons/Schedule';
import { Link } from '@backstage/core-components';
import type {
  Deployment,
  EnvironmentTraffic,
  VerificationCheck,
} from '@stagecraft/plugin-deployments-common';
import { versionLabel } from '../../format/version';
import { strategyText } from './laneText';
import { onPaper } from '../../theme/contrast';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    height: theme.spacing(1),
    borderRadius: theme.shape.borderRadius,
    overflow: 'hidden',
    marginTop: theme.spacing(1),
    backgroundColor: theme.palette.action.disabledBackground,
    // A gap between the shares: in the dark theme the canary's and the live
    // version's colours are close in lightness, so the edge has to show.
    columnGap: 2,
  },
  canary: { backgroundColor: theme.palette.primary.main },
  live: { backgroundColor: theme.palette.text.secondary },
  standby: { backgroundColor: theme.palette.action.disabled },
  muted: { color: theme.palette.text.secondary },
  // A deployment config's name is one long word
  // (CodeDeployDefault.LambdaCanary10Percent5Minutes): break it rather than
  // run out of a narrow lane.
  strategy: { color: theme.palette.text.secondary, overflowWrap: 'anywhere' },
  checks: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
    listStyle: 'none',
    padding: 0,
    margin: theme.spacing(0.5, 0, 0),
  },
  check: { display: 'inline-flex', alignItems: 'center', gap: 4 },
  // Icons: at least 3:1 against the card in both themes.
  passing: { color: onPaper(theme, theme.palette.success.main) },
  failing: { color: onPaper(theme, theme.palette.error.main) },
  pending: { color: theme.palette.text.secondary },
}));

const CHECK_ICONS = {
  passing: CheckCircleIcon,
  failing: ErrorIcon,
  pending: ScheduleIcon,
};

/** Which versions serve the environment, as a bar and in words; only when traffic is split. */
const TrafficSplit = ({ traffic }: { traffic: EnvironmentTraffic }) => {
  const classes = useStyles();
  const shares = [...traffic.shares].sort((a, b) => a.percent - b.percent);
  const words = shares
    .map(
      share =>
        `${share.percent}% ${versionLabel(share.version)}${
          share.role ? ` (${share.role})` : ''
        }`,
    )
    .join(' · ');
  return (
    <div role="group" aria-label="Traffic">
      {/* The bar repeats the words below for the eye; screen readers get the words. */}
      <div className={classes.bar} aria-hidden="true">
        {shares.map(share => (
          <div
            key={share.version.sha}
            className={classes[share.role ?? 'live']}
            style={{ width: `${share.percent}%` }}
          />
        ))}
      </div>
      <Typography variant="body2">{words}</Typography>
    </div>
  );
};

const Checks = ({ checks }: { checks: VerificationCheck[] }) => {
  const classes = useStyles();
  return (
    <ul className={classes.checks} aria-label="Checks">
      {checks.map(check => {
        const Icon = CHECK_ICONS[check.state];
        return (
          <li key={check.name} className={classes.check}>
            {/* The state is also in words: colour and shape alone say nothing to some. */}
            <Icon
              fontSize="small"
              className={classes[check.state]}
              aria-hidden="true"
            />
            <Typography variant="body2" component="span">
              {/* Underlined: in a line of text, colour alone does not mark a link. */}
              {check.url ? (
                <Link to={check.url} underline="always">
                  {check.name}
                </Link>
              ) : (
                check.name
              )}{' '}
              <span className={classes.muted}>{check.state}</span>
              {check.detail ? ` · ${check.detail}` : ''}
            </Typography>
          </li>
        );
      })}
    </ul>
  );
};

export interface RolloutStatusProps {
  /** The deployment rolling out, or else the one running now. */
  deployment?: Deployment;
  traffic?: EnvironmentTraffic;
}

/**
 * Progressive delivery at a glance: the traffic split between versions, the
 * strategy with its step, and the checks that verify the rollout.
 */
export const RolloutStatus = ({ deployment, traffic }: RolloutStatusProps) => {
  const classes = useStyles();
  const running =
    deployment && ['queued', 'in_progress'].includes(deployment.state);
  const strategy = strategyText(
    deployment?.strategy,
    running ? deployment?.createdAt : undefined,
  );
  const split = traffic && traffic.shares.length > 1 ? traffic : undefined;
  const checks = deployment?.checks ?? [];
  if (!strategy && !split && checks.length === 0) return null;
  return (
    <>
      {strategy && (
        <Typography variant="body2" className={classes.strategy}>
          {strategy}
          {deployment?.strategy?.name ? ` (${deployment.strategy.name})` : ''}
        </Typography>
      )}
      {split && <TrafficSplit traffic={split} />}
      {checks.length > 0 && <Checks checks={checks} />}
    </>
  );
};
