import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import PauseCircleFilledIcon from '@material-ui/icons/PauseCircleFilled';
import ScheduleIcon from '@material-ui/icons/Schedule';
import SyncIcon from '@material-ui/icons/Sync';
import UndoIcon from '@material-ui/icons/Undo';
import BlockIcon from '@material-ui/icons/Block';
import type { DeploymentState } from '@stagecraft/plugin-deployments-common';

type Tone = 'success' | 'error' | 'warning' | 'info' | 'neutral';

const PRESENTATION: Record<
  DeploymentState,
  { label: string; tone: Tone; Icon: typeof CheckCircleIcon }
> = {
  queued: { label: 'queued', tone: 'info', Icon: ScheduleIcon },
  in_progress: { label: 'in progress', tone: 'info', Icon: SyncIcon },
  waiting: {
    label: 'waiting for approval',
    tone: 'warning',
    Icon: PauseCircleFilledIcon,
  },
  success: { label: 'success', tone: 'success', Icon: CheckCircleIcon },
  failure: { label: 'failed', tone: 'error', Icon: ErrorIcon },
  error: { label: 'error', tone: 'error', Icon: ErrorIcon },
  inactive: { label: 'superseded', tone: 'neutral', Icon: BlockIcon },
  cancelled: { label: 'cancelled', tone: 'neutral', Icon: BlockIcon },
  rolled_back: { label: 'rolled back', tone: 'warning', Icon: UndoIcon },
};

function toneColor(theme: Theme, tone: Tone): string {
  switch (tone) {
    case 'success':
      return theme.palette.success.main;
    case 'error':
      return theme.palette.error.main;
    case 'warning':
      return theme.palette.warning.main;
    case 'info':
      return theme.palette.info.main;
    default:
      return theme.palette.text.secondary;
  }
}

const useStyles = makeStyles<Theme, { tone: Tone }>(theme => ({
  chip: {
    borderColor: ({ tone }) => toneColor(theme, tone),
    color: theme.palette.text.primary,
    margin: 0,
  },
  icon: {
    color: ({ tone }) => `${toneColor(theme, tone)} !important`,
  },
}));

/** The state of a deployment, as an icon and a word (never colour alone). */
export const DeploymentStateChip = ({ state }: { state: DeploymentState }) => {
  const { label, tone, Icon } = PRESENTATION[state] ?? {
    label: state,
    tone: 'neutral' as Tone,
    Icon: BlockIcon,
  };
  const classes = useStyles({ tone });
  return (
    <Chip
      size="small"
      variant="outlined"
      label={label}
      className={classes.chip}
      icon={<Icon className={classes.icon} />}
    />
  );
};

/** The words used for a state, for places where a chip does not fit. */
export function deploymentStateLabel(state: DeploymentState): string {
  return PRESENTATION[state]?.label ?? state;
}
