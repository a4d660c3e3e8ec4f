import { Fragment, memo, useMemo, useState, useId } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type {
  TimelineOutcome,
  TimelineRow,
} from '@stagecraft/plugin-deployments-common';
import { versionDetail, versionLabel } from '../../format/version';
import { TimelinePrefetch, useTimeline } from '../../hooks/useTimeline';
import { SINCE_CHOICES, sinceDaysAgo } from './timeFilters';
import { TimelineCellView } from './TimelineCellView';
import {
  FreezeMarkerRow,
  placeFreezeMarkers,
  useFreezeOccurrences,
} from './FreezeMarkers';

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  filter: { minWidth: 180 },
  sha: { fontFamily: 'monospace', color: theme.palette.text.secondary },
  message: { color: theme.palette.text.secondary },
  cell: { verticalAlign: 'top', minWidth: '9rem' },
  // On a phone the table scrolls sideways; a version stays readable rather
  // than squeezed to a letter per line.
  versionCell: { verticalAlign: 'top', minWidth: '8rem' },
  detail: { color: theme.palette.text.secondary, display: 'block' },
}));

const ALL = '';

/** The outcomes the timeline can be narrowed to, as the filter names them. */
const OUTCOME_CHOICES: Array<{ label: string; value: TimelineOutcome | '' }> = [
  { label: 'Any outcome', value: '' },
  { label: 'Rolled back', value: 'rolled-back' },
  { label: 'Failed verification', value: 'failed-verification' },
];

const VersionCell = ({ row }: { row: TimelineRow }) => {
  const classes = useStyles();
  const label = versionLabel(row.version);
  return (
    <>
      {row.version.url ? <Link to={row.version.url}>{label}</Link> : label}{' '}
      {versionDetail(row.version) && (
        <span className={classes.sha}>{versionDetail(row.version)}</span>
      )}
      {row.version.message && (
        <Typography variant="caption" className={classes.detail}>
          {row.version.message}
        </Typography>
      )}
    </>
  );
};

/**
 * One version's row. Memoised so that "Load more" renders only the new page:
 * re-rendering every row already shown made each page slower than the last
 * (about 0.4 s per page at 480 rows on 2 cores; see docs/performance.md).
 */
const VersionRow = memo(
  ({ row, columns }: { row: TimelineRow; columns: string[] }) => {
    const classes = useStyles();
    return (
      <TableRow>
        <TableCell
          component="th"
          scope="row"
          role="rowheader"
          className={classes.versionCell}
        >
          <VersionCell row={row} />
        </TableCell>
        {columns.map(name => (
          <TableCell key={name} className={classes.cell}>
            <TimelineCellView cell={row.cells[name]} />
          </TableCell>
        ))}
      </TableRow>
    );
  },
);

export interface PromotionTimelineProps {
  entityRef: string;
  /** Environment names in promotion order (the filter's choices). */
  environments: string[];
  /** The first page, if someone already asked for it. */
  prefetch?: TimelinePrefetch;
}

/**
 * How versions travelled along the promotion path: one row per version,
 * one column per environment, newest first, loaded a page at a time. Freeze
 * windows on within the rows' span (config's, the entity's own, and the
 * time outside its provider's deployment windows) are bands between the
 * versions from before and after them.
 */
export const PromotionTimeline = (props: PromotionTimelineProps) => {
  const classes = useStyles();
  const [environment, setEnvironment] = useState(ALL);
  const [sinceDays, setSinceDays] = useState('');
  const [outcome, setOutcome] = useState<TimelineOutcome | ''>('');
  const fieldId = useId();
  const since = useMemo(
    () => sinceDaysAgo(sinceDays ? Number(sinceDays) : undefined),
    [sinceDays],
  );
  const timeline = useTimeline(
    props.entityRef,
    {
      environment: environment ? [environment] : undefined,
      since,
      outcome: outcome || undefined,
    },
    { prefetch: props.prefetch },
  );
  // Kept stable across renders so the memoised rows stay as they are.
  const columns = useMemo(() => {
    if (environment) return [environment];
    return timeline.environments.length > 0
      ? timeline.environments
      : props.environments;
  }, [environment, timeline.environments, props.environments]);

  // Freeze windows between the versions: a band above the first version
  // from before the window ended.
  const occurrences = useFreezeOccurrences(props.entityRef, timeline.rows);
  const markers = useMemo(
    () =>
      placeFreezeMarkers(
        timeline.rows,
        occurrences,
        environment ? [environment] : undefined,
      ),
    [timeline.rows, occurrences, environment],
  );

  let body;
  if (timeline.error && timeline.rows.length === 0) {
    body = <ResponseErrorPanel error={timeline.error} />;
  } else if (timeline.loading && timeline.rows.length === 0) {
    body = <Progress />;
  } else if (timeline.rows.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title={
          outcome
            ? 'No versions with this outcome'
            : 'No versions in this range'
        }
        description={
          outcome
            ? 'Nothing in this range was rolled back or failed its checks. Widen the filters to look further back.'
            : 'Widen the filters to see older deployments.'
        }
      />
    );
  } else {
    body = (
      <TableContainer>
        <Table size="small" aria-label="Promotion timeline">
          <TableHead>
            <TableRow>
              <TableCell
                component="th"
                scope="col"
                className={classes.versionCell}
              >
                Version
              </TableCell>
              {columns.map(name => (
                <TableCell key={name} component="th" scope="col">
                  {name}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {timeline.rows.map((row, index) => (
              <Fragment key={row.version.sha}>
                {markers.has(index) && (
                  <FreezeMarkerRow
                    occurrences={markers.get(index)!}
                    columns={columns.length + 1}
                  />
                )}
                <VersionRow row={row} columns={columns} />
              </Fragment>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  return (
    <InfoCard title="Promotion timeline">
      <div className={classes.filters}>
        <TextField
          select
          id={`${fieldId}-environment`}
          label="Environment"
          value={environment}
          onChange={e => setEnvironment(e.target.value)}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          variant="outlined"
          size="small"
          className={classes.filter}
        >
          <option value={ALL}>All environments</option>
          {props.environments.map(name => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </TextField>
        <TextField
          select
          id={`${fieldId}-since`}
          label="Since"
          value={sinceDays}
          onChange={e => setSinceDays(e.target.value)}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          variant="outlined"
          size="small"
          className={classes.filter}
        >
          {SINCE_CHOICES.map(choice => (
            <option key={choice.label} value={choice.days ?? ''}>
              {choice.label}
            </option>
          ))}
        </TextField>
        <TextField
          select
          id={`${fieldId}-outcome`}
          label="Outcome"
          value={outcome}
          onChange={e => setOutcome(e.target.value as TimelineOutcome | '')}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          variant="outlined"
          size="small"
          className={classes.filter}
        >
          {OUTCOME_CHOICES.map(choice => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </TextField>
      </div>
      {body}
      {timeline.rows.length > 0 && (
        <Box mt={2} display="flex" alignItems="center" gridGap={16}>
          {timeline.error && (
            <Typography variant="body2" color="error" role="alert">
              Could not load more: {timeline.error.message}
            </Typography>
          )}
          {timeline.hasMore && (
            <Button
              variant="outlined"
              onClick={timeline.loadMore}
              disabled={timeline.loading}
            >
              {timeline.loading ? 'Loading…' : 'Load more'}
            </Button>
          )}
        </Box>
      )}
    </InfoCard>
  );
};
