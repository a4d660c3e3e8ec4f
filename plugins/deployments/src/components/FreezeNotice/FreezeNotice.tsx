import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import AcUnitIcon from '@material-ui/icons/AcUnit';
import type { EnvironmentFreeze } from '@stagecraft/plugin-deployments-common';

const WEEK_MS = 6 * 24 * 60 * 60 * 1000;

/**
 * When a freeze ends, as a lane says it: the weekday and time within the
 * coming week ("Mon 09:00"), with the date beyond it ("Mon 4 Jan, 09:00").
 */
export function formatFreezeEnd(
  until: string,
  options: { now?: Date; timeZone?: string } = {},
): string {
  const end = new Date(until);
  const now = options.now ?? new Date();
  const soon = end.getTime() - now.getTime() < WEEK_MS;
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    ...(soon ? {} : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }).format(end);
}

/**
 * "Frozen until Mon 09:00 (reason)" for an environment that a freeze
 * window covers; the hover names the window and its end in the window's
 * own time zone. Times are shown in the viewer's zone unless `timeZone` is
 * given.
 */
export const FreezeNotice = ({
  freeze,
  now,
  timeZone,
}: {
  freeze: EnvironmentFreeze;
  now?: Date;
  timeZone?: string;
}) => {
  const shown = formatFreezeEnd(freeze.until, { now, timeZone });
  const inWindowZone = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: freeze.timeZone,
  }).format(new Date(freeze.until));
  return (
    <Box
      display="flex"
      alignItems="center"
      role="status"
      title={`Freeze window ${freeze.name}: promotions, approvals and roll backs are refused until ${inWindowZone} (${freeze.timeZone}), unless overridden with a reason`}
    >
      <AcUnitIcon fontSize="small" color="primary" aria-hidden />
      <Box ml={0.5}>
        <Typography variant="body2" component="span">
          Frozen until <time dateTime={freeze.until}>{shown}</time> (
          {freeze.reason})
        </Typography>
      </Box>
    </Box>
  );
};
