import { useMemo } from 'react';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import AcUnitIcon from '@material-ui/icons/AcUnit';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import type {
  FreezeWindowSummary,
  TimelineRow,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';

/** The longest range `GET /freezes?from=&to=` answers. */
const MAX_RANGE_MS = 400 * 24 * 60 * 60 * 1000;
/** Windows one marker names; the rest are counted. */
const SHOWN_PER_MARKER = 2;

const useStyles = makeStyles(theme => ({
  marker: {
    backgroundColor: theme.palette.action.hover,
  },
  // The band spans the whole table, which scrolls sideways on a phone: its
  // text stays in the visible part, wrapping there.
  content: {
    position: 'sticky',
    left: theme.spacing(2),
    maxWidth: `calc(100vw - ${theme.spacing(16)}px)`,
  },
  line: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
}));

/**
 * The freeze windows on at some time within the rows' span (the oldest
 * row's first deployment until now), from `GET /freezes`. Nothing when the
 * client cannot list them or the list fails: the timeline stays usable.
 */
export function useFreezeOccurrences(
  entityRef: string,
  rows: TimelineRow[],
): FreezeWindowSummary[] {
  const api = useApi(deploymentsApiRef);
  const oldest = rows.length > 0 ? rows[rows.length - 1].firstSeenAt : '';
  const { value } = useAsync(async () => {
    if (!oldest || !api.getFreezes) return [];
    const to = new Date();
    const from = new Date(
      Math.max(new Date(oldest).getTime(), to.getTime() - MAX_RANGE_MS + 1),
    );
    if (!(from < to)) return [];
    try {
      const answer = await api.getFreezes({
        entity: entityRef,
        from: from.toISOString(),
        to: to.toISOString(),
      });
      return answer.occurrences ?? [];
    } catch {
      return [];
    }
  }, [api, entityRef, oldest]);
  return value ?? [];
}

/**
 * Where each window goes: above the first row (newest first) of a version
 * first seen before the window ended, so versions that came after it stand
 * above it and those from before below. Keyed by row index; a window that
 * ended after the newest row goes above it.
 */
export function placeFreezeMarkers(
  rows: TimelineRow[],
  occurrences: FreezeWindowSummary[],
  environments?: string[],
): Map<number, FreezeWindowSummary[]> {
  const placed = new Map<number, FreezeWindowSummary[]>();
  if (rows.length === 0) return placed;
  const oldest = new Date(rows[rows.length - 1].firstSeenAt).getTime();
  const relevant = occurrences
    .filter(o => new Date(o.end).getTime() > oldest)
    .filter(
      o =>
        !environments ||
        !o.environments ||
        o.environments.some(e => environments.includes(e)),
    )
    // Newest first, like the rows.
    .sort((a, b) => b.end.localeCompare(a.end));
  for (const occurrence of relevant) {
    const end = new Date(occurrence.end).getTime();
    const index = rows.findIndex(
      row => new Date(row.firstSeenAt).getTime() < end,
    );
    if (index < 0) continue;
    placed.set(index, [...(placed.get(index) ?? []), occurrence]);
  }
  return placed;
}

const SPAN_FORMAT: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

/** A formatter in the window's own time zone, or the browser's when that zone is unknown here. */
function spanFormat(timeZone: string): {
  format: Intl.DateTimeFormat;
  zone?: string;
} {
  try {
    return {
      format: new Intl.DateTimeFormat('en-GB', { ...SPAN_FORMAT, timeZone }),
      zone: timeZone,
    };
  } catch {
    return { format: new Intl.DateTimeFormat('en-GB', SPAN_FORMAT) };
  }
}

/** `Fri 27 Nov, 18:00 – Mon 30 Nov, 09:00 Europe/Berlin`: in the zone the window is defined in. */
function when(occurrence: FreezeWindowSummary): string {
  const { format, zone } = spanFormat(occurrence.timeZone);
  const range = `${format.format(new Date(occurrence.start))} – ${format.format(
    new Date(occurrence.end),
  )}`;
  return zone ? `${range} ${zone}` : range;
}

/**
 * `Frozen: Weekend freeze (Fri 4 Dec, 18:00 – Mon 7 Dec, 09:00 Europe/Berlin) · production`,
 * or for a provider's own deployment window, the time outside it:
 * `Deploys held outside the CodePipeline deployment window (Mon–Fri 08:00–18:00
 * Europe/Berlin): Tue 1 Dec, 18:00 – Wed 2 Dec, 08:00 Europe/Berlin · production`.
 */
export function freezeMarkerText(occurrence: FreezeWindowSummary): string {
  const where = occurrence.environments
    ? ` · ${occurrence.environments.join(', ')}`
    : '';
  if (occurrence.schedule.kind === 'outside-window') {
    return `Deploys held outside the ${occurrence.name} (${
      occurrence.schedule.allowed
    }): ${when(occurrence)}${where}`;
  }
  return `Frozen: ${occurrence.reason} (${when(occurrence)})${where}`;
}

/** A band across the timeline's row naming the windows on between two versions. */
export const FreezeMarkerRow = ({
  occurrences,
  columns,
}: {
  occurrences: FreezeWindowSummary[];
  columns: number;
}) => {
  const classes = useStyles();
  const shown = useMemo(
    () => occurrences.slice(0, SHOWN_PER_MARKER),
    [occurrences],
  );
  const more = occurrences.length - shown.length;
  return (
    <TableRow className={classes.marker} aria-label="Freeze window">
      <TableCell colSpan={columns}>
        <div className={classes.content}>
          {shown.map(occurrence => (
            <div
              key={`${occurrence.id}:${occurrence.start}`}
              className={classes.line}
            >
              <AcUnitIcon fontSize="small" color="primary" aria-hidden />
              <Typography variant="body2" component="span">
                {freezeMarkerText(occurrence)}
              </Typography>
            </div>
          ))}
          {more > 0 && (
            <Typography variant="caption" color="textSecondary">
              and {more} more {more === 1 ? 'window' : 'windows'} between these
              versions
            </Typography>
          )}
        </div>
      </TableCell>
    </TableRow>
  );
};
