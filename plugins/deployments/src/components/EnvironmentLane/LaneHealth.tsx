import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import { Link } from '@backstage/core-components';
import type { Deployment } from '@stagecraft/plugin-deployments-common';
import { versionLabel } from '../../format/version';
import { RelativeTime } from '../RelativeTime';
import { failingChecks, healthySince, soakText } from './laneText';
import { onPaper } from '../../theme/contrast';

const useStyles = makeStyles(theme => ({
  line: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(1),
  },
  // Icons: at least 3:1 against the card in both themes.
  healthy: { color: onPaper(theme, theme.palette.success.main) },
  failing: { color: onPaper(theme, theme.palette.error.main) },
  failingText: { fontWeight: 600 },
  muted: { color: theme.palette.text.secondary },
}));

export interface LaneHealthProps {
  /** What runs in the environment now. */
  current?: Deployment;
  /** The rollout in flight, when there is one. */
  inFlight?: Deployment;
}

/**
 * The lane's health at a glance: how long the version running now has been
 * healthy (its soak time), and every failing check of it or of the rollout
 * in flight, in words with an icon, so nobody has to open anything to see one.
 */
export const LaneHealth = ({ current, inFlight }: LaneHealthProps) => {
  const classes = useStyles();
  const soak = soakText(current);
  const since = healthySince(current);
  const failing = failingChecks([current, inFlight]);
  if (!soak && failing.length === 0) return null;
  return (
    <>
      {soak && since && (
        <Typography variant="body2" className={classes.line}>
          <CheckCircleIcon
            fontSize="small"
            className={classes.healthy}
            aria-hidden="true"
          />
          <span title={`healthy since ${new Date(since).toLocaleString()}`}>
            {soak}
          </span>
        </Typography>
      )}
      {failing.map(({ deployment, check }) => (
        <Typography
          key={`${deployment.id}:${check.name}`}
          variant="body2"
          component="p"
          className={classes.line}
        >
          {/* The words say "failing"; the icon's shape repeats it for the eye. */}
          <ErrorIcon
            fontSize="small"
            className={classes.failing}
            aria-hidden="true"
          />
          <span>
            <span className={classes.failingText}>
              check failing:{' '}
              {check.url ? (
                <Link to={check.url}>{check.name}</Link>
              ) : (
                check.name
              )}
            </span>
            {deployment.id !== current?.id && (
              <span className={classes.muted}>
                {' '}
                (rolling out: {versionLabel(deployment.version)})
              </span>
            )}
            {check.detail && ` · ${check.detail}`}
            {check.at && (
              <span className={classes.muted}>
                {' · '}
                <RelativeTime value={check.at} />
              </span>
            )}
          </span>
        </Typography>
      ))}
    </>
  );
};
