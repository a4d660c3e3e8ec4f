import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CallSplitIcon from '@material-ui/icons/CallSplit';
import ErrorOutlineIcon from '@material-ui/icons/ErrorOutline';
import ReplayIcon from '@material-ui/icons/Replay';
import SwapHorizIcon from '@material-ui/icons/SwapHoriz';
import TrendingUpIcon from '@material-ui/icons/TrendingUp';
import type {
  Deployment,
  DeploymentStrategyType,
  TimelineCell,
} from '@stagecraft/plugin-deployments-common';
import { rollbackSentence } from '../../format/rollback';
import { formatDuration } from '../../format/time';
import { DeploymentLinks } from '../DeploymentLinks';
import { DeploymentStateChip } from '../DeploymentStateChip';
import { RelativeTime } from '../RelativeTime';
import { onPaper } from '../../theme/contrast';

const useStyles = makeStyles(theme => ({
  detail: { color: theme.palette.text.secondary, display: 'block' },
  empty: { color: theme.palette.text.disabled },
  marked: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(0.5),
  },
  icon: { fontSize: '1rem' },
  rollback: { color: theme.palette.warning.main },
  failing: { color: onPaper(theme, theme.palette.error.main) },
}));

/**
 * A cell as the v2 backend may send it: the deployment's link label and
 * other providers' reports ride along. Read as optional, since older
 * backends never send them.
 */
export type TimelineCellWithLinks = TimelineCell &
  Partial<Pick<Deployment, 'urlLabel' | 'links'>>;

/** Progressive strategies get an icon and their name; all-at-once is the default and says nothing. */
const STRATEGY_ICONS: Partial<
  Record<DeploymentStrategyType, typeof CallSplitIcon>
> = {
  canary: CallSplitIcon,
  linear: TrendingUpIcon,
  'blue-green': SwapHorizIcon,
};

const StrategyLabel = ({ cell }: { cell: TimelineCellWithLinks }) => {
  const classes = useStyles();
  const type = cell.strategy?.type;
  const Icon = type ? STRATEGY_ICONS[type] : undefined;
  if (!type || !Icon) return null;
  return (
    <Typography variant="caption" className={classes.marked}>
      {/* The name says the strategy; the icon repeats it for the eye. */}
      <Icon className={classes.icon} aria-hidden="true" />
      <span>{type}</span>
    </Typography>
  );
};

const RollbackLine = ({ cell }: { cell: TimelineCellWithLinks }) => {
  const classes = useStyles();
  if (!cell.rollback) return null;
  return (
    <Typography variant="caption" className={classes.marked}>
      <ReplayIcon
        className={`${classes.icon} ${classes.rollback}`}
        aria-hidden="true"
      />
      <span>{rollbackSentence(cell.rollback)}</span>
    </Typography>
  );
};

const VerificationFailedLine = ({ cell }: { cell: TimelineCellWithLinks }) => {
  const classes = useStyles();
  if (!cell.verificationFailed) return null;
  return (
    <Typography variant="caption" className={classes.marked}>
      <ErrorOutlineIcon
        className={`${classes.icon} ${classes.failing}`}
        aria-hidden="true"
      />
      <span>verification failed</span>
    </Typography>
  );
};

/** One environment's cell of a version's row: state, when, who, strategy, rollback, links. */
export const TimelineCellView = ({
  cell,
}: {
  cell?: TimelineCellWithLinks;
}) => {
  const classes = useStyles();
  if (!cell) {
    return (
      <span className={classes.empty} aria-label="not deployed">
        ·
      </span>
    );
  }
  return (
    <>
      <DeploymentStateChip state={cell.state} />
      <StrategyLabel cell={cell} />
      <Typography variant="caption" className={classes.detail}>
        <RelativeTime value={cell.finishedAt ?? cell.startedAt} />
        {cell.durationSeconds !== undefined &&
          ` · took ${formatDuration(cell.durationSeconds)}`}
      </Typography>
      <Typography variant="caption" className={classes.detail}>
        {cell.triggeredBy && `by ${cell.triggeredBy}`}
        {cell.attempts > 1 && ` · ${cell.attempts} attempts`}
        {Boolean(cell.url || cell.links?.length) && (
          <>
            {' · '}
            <DeploymentLinks
              url={cell.url}
              urlLabel={cell.urlLabel}
              links={cell.links}
            />
          </>
        )}
      </Typography>
      <VerificationFailedLine cell={cell} />
      <RollbackLine cell={cell} />
    </>
  );
};
