import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import RefreshIcon from '@material-ui/icons/Refresh';
import type { SyncStatus } from '@stagecraft/plugin-deployments-common';
import { RelativeTime } from '../RelativeTime';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(2),
    // The bar sits on the page background, not a card: secondary text there
    // falls just short of WCAG AA contrast in the light theme.
    color: theme.palette.text.primary,
  },
  provider: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
  dot: {
    width: 10,
    height: 10,
    borderRadius: '50%',
    display: 'inline-block',
  },
  fresh: { backgroundColor: theme.palette.success.main },
  stale: { backgroundColor: theme.palette.warning.main },
  alert: { marginTop: theme.spacing(1) },
}));

function newest(times: Array<string | undefined>): string | undefined {
  return times
    .filter((t): t is string => Boolean(t))
    .sort()
    .at(-1);
}

/** One line per provider: a provider syncs several targets (repositories, pipelines, stacks). */
function byProvider(sync: SyncStatus[]) {
  const groups = new Map<string, { targets: number; stale: number }>();
  for (const s of sync) {
    const group = groups.get(s.provider) ?? { targets: 0, stale: 0 };
    group.targets += 1;
    if (s.stale) group.stale += 1;
    groups.set(s.provider, group);
  }
  return [...groups].map(([provider, group]) => ({ provider, ...group }));
}

function staleText(group: { targets: number; stale: number }) {
  if (group.stale === 0) return '(up to date)';
  if (group.targets === 1) return '(stale)';
  return `(${group.stale} of ${group.targets} stale)`;
}

export interface SyncStatusBarProps {
  sync: SyncStatus[];
  /** When the browser last got an answer from the backend. */
  loadedAt?: Date;
  /** The last refresh from the backend failed (the data shown is older). */
  refreshError?: Error;
  onRefresh: () => void;
}

/**
 * How fresh the data is: when providers last synced, which ones are stale
 * and why, and whether the browser's own last refresh failed.
 */
export const SyncStatusBar = (props: SyncStatusBarProps) => {
  const classes = useStyles();
  const lastSynced = newest(props.sync.map(s => s.lastSuccessAt));
  const staleProviders = props.sync.filter(s => s.stale);
  return (
    <Box mb={2}>
      <div className={classes.bar}>
        <Typography variant="body2" component="span">
          {lastSynced ? (
            <>
              last synced <RelativeTime value={lastSynced} />
            </>
          ) : (
            'never synced'
          )}
        </Typography>
        {byProvider(props.sync).map(group => (
          <Typography
            key={group.provider}
            variant="body2"
            component="span"
            className={classes.provider}
          >
            <span
              aria-hidden
              className={`${classes.dot} ${
                group.stale ? classes.stale : classes.fresh
              }`}
            />
            {group.provider} {staleText(group)}
          </Typography>
        ))}
        <Button
          size="small"
          startIcon={<RefreshIcon />}
          onClick={props.onRefresh}
        >
          Refresh
        </Button>
      </div>
      {staleProviders.map(s => (
        <Alert
          key={`${s.provider}:${s.target ?? ''}`}
          severity="warning"
          className={classes.alert}
        >
          Data from {s.provider}
          {s.target ? ` (${s.target})` : ''} may be out of date: the last sync
          {s.lastErrorAt ? (
            <>
              {' '}
              (<RelativeTime value={s.lastErrorAt} />)
            </>
          ) : null}{' '}
          failed{s.lastError ? `: ${s.lastError}` : ''}.{' '}
          {s.lastSuccessAt ? (
            <>
              Showing the state from <RelativeTime value={s.lastSuccessAt} />.
            </>
          ) : (
            'It has never synced successfully.'
          )}
        </Alert>
      ))}
      {props.refreshError && (
        <Alert severity="warning" className={classes.alert}>
          Could not refresh: {props.refreshError.message}. Showing the data
          loaded{' '}
          {props.loadedAt ? (
            <RelativeTime value={props.loadedAt.toISOString()} />
          ) : (
            'earlier'
          )}
          .
        </Alert>
      )}
    </Box>
  );
};
