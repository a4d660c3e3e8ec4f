import { ReactNode, useId } from 'react';
import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ActionAvailability } from '../EnvironmentLane/laneActions';
import { onPaper, TEXT_CONTRAST } from '../../theme/contrast';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'inline-flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    maxWidth: 260,
    marginRight: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
  // The theme's secondary (pink in Backstage's light theme) is 4.2:1 on
  // white: its shade with WCAG AA's 4.5:1 for the label and the outline,
  // doubled to outweigh MUI's own class whatever the style sheets' order.
  secondary: {
    '&&': {
      color: onPaper(theme, theme.palette.secondary.main, TEXT_CONTRAST),
      borderColor: onPaper(theme, theme.palette.secondary.main, TEXT_CONTRAST),
    },
  },
  reason: {
    color: theme.palette.text.secondary,
    marginTop: theme.spacing(0.5),
  },
}));

export interface ActionButtonProps {
  availability: ActionAvailability;
  onClick: () => void;
  children: ReactNode;
  color?: ButtonProps['color'];
  variant?: ButtonProps['variant'];
  startIcon?: ReactNode;
}

/**
 * A button that is never silently missing: when the action is not available
 * it stays visible, disabled, and says why, both as visible text and as the
 * button's accessible description (a tooltip alone is out of reach for
 * keyboard and touch users on a disabled button).
 */
export const ActionButton = (props: ActionButtonProps) => {
  const classes = useStyles();
  const reasonId = useId();
  const { availability } = props;
  const reason = availability.enabled ? undefined : availability.reason;
  const color = props.color ?? 'primary';
  const variant = props.variant ?? 'outlined';
  return (
    <span className={classes.root}>
      <Tooltip title={reason ?? ''}>
        {/* A disabled button fires no events; the span lets the tooltip open. */}
        <span>
          <Button
            variant={variant}
            color={color}
            className={
              color === 'secondary' &&
              variant !== 'contained' &&
              availability.enabled
                ? classes.secondary
                : undefined
            }
            size="small"
            startIcon={props.startIcon}
            disabled={!availability.enabled}
            aria-describedby={reason ? reasonId : undefined}
            onClick={props.onClick}
          >
            {props.children}
          </Button>
        </span>
      </Tooltip>
      {reason && (
        <Typography id={reasonId} variant="caption" className={classes.reason}>
          {reason}
        </Typography>
      )}
    </span>
  );
};
