import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import type {
  ChangeCommit,
  ChangeDiff,
} from '@stagecraft/plugin-deployments-common';
import { shortSha } from '../../format/version';
import { RelativeTime } from '../RelativeTime';
import { onPaper, TEXT_CONTRAST } from '../../theme/contrast';

const useStyles = makeStyles(theme => ({
  counts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  // The palette's shades are too light for text on white and too dark on the
  // dark theme's paper: the shade with WCAG AA's 4.5:1 for text.
  additions: {
    color: onPaper(theme, theme.palette.success.main, TEXT_CONTRAST),
    fontWeight: 600,
  },
  deletions: {
    color: onPaper(theme, theme.palette.error.main, TEXT_CONTRAST),
    fontWeight: 600,
  },
  sha: { fontFamily: 'monospace' },
  secondary: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    color: theme.palette.text.secondary,
  },
  files: { marginTop: theme.spacing(1) },
  file: { fontFamily: 'monospace' },
}));

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function statusSentence(diff: ChangeDiff): string {
  switch (diff.status) {
    case 'identical':
      return `${diff.to.ref} and ${diff.from.ref} run the same commit`;
    case 'behind':
      return `${diff.to.ref} is ${plural(diff.behindBy, 'commit')} behind ${
        diff.from.ref
      } (going there is a roll back)`;
    case 'diverged':
      return `${diff.to.ref} is ${plural(
        diff.aheadBy,
        'commit',
      )} ahead of and ${plural(diff.behindBy, 'commit')} behind ${
        diff.from.ref
      }`;
    default:
      return `${diff.to.ref} is ${plural(diff.aheadBy, 'commit')} ahead of ${
        diff.from.ref
      }`;
  }
}

const CommitItem = ({ commit }: { commit: ChangeCommit }) => {
  const classes = useStyles();
  const title = commit.pullRequest
    ? `#${commit.pullRequest.number} ${commit.message}`
    : commit.message;
  return (
    <ListItem divider disableGutters>
      <ListItemText
        primary={
          commit.pullRequest ? (
            <Link to={commit.pullRequest.url}>{title}</Link>
          ) : (
            title
          )
        }
        secondary={
          <span className={classes.secondary}>
            <span>{commit.authorLogin ?? commit.author}</span>
            <RelativeTime value={commit.date} />
            {commit.url ? (
              <Link to={commit.url} className={classes.sha}>
                {shortSha(commit.sha)}
              </Link>
            ) : (
              <span className={classes.sha}>{shortSha(commit.sha)}</span>
            )}
          </span>
        }
        secondaryTypographyProps={{ component: 'span' }}
      />
    </ListItem>
  );
};

/** What one diff contains: counts, commits with their PRs, and the changed files. */
export const ChangeList = ({
  diff,
  maxFiles = 20,
}: {
  diff: ChangeDiff;
  maxFiles?: number;
}) => {
  const classes = useStyles();
  // No diff could be made (no change source, a version without a known
  // commit): the counts would be zeros that claim "the same commit".
  if (diff.reason) {
    return <Typography variant="body1">{diff.reason}</Typography>;
  }
  const pullRequests = new Set(
    diff.commits.flatMap(c => (c.pullRequest ? [c.pullRequest.number] : [])),
  );
  const shownFiles = diff.files.slice(0, maxFiles);
  return (
    <Box>
      <Typography variant="body1">{statusSentence(diff)}</Typography>
      <Typography variant="body2" component="div" className={classes.counts}>
        <span>{plural(diff.totalCommits, 'commit')}</span>
        <span>{plural(pullRequests.size, 'pull request')}</span>
        <span>{plural(diff.files.length, 'file')}</span>
        <span>
          <span className={classes.additions}>+{diff.additions}</span>{' '}
          <span className={classes.deletions}>−{diff.deletions}</span>
        </span>
        {diff.url && <Link to={diff.url}>full comparison</Link>}
      </Typography>
      {diff.commits.length > 0 && (
        <List dense aria-label="Commits">
          {diff.commits.map(commit => (
            <CommitItem key={commit.sha} commit={commit} />
          ))}
        </List>
      )}
      {diff.totalCommits > diff.commits.length && (
        <Typography variant="caption">
          Showing {diff.commits.length} of {diff.totalCommits} commits.
        </Typography>
      )}
      {shownFiles.length > 0 && (
        <details className={classes.files}>
          <summary>Changed files ({diff.files.length})</summary>
          <List dense aria-label="Changed files">
            {shownFiles.map(file => (
              <ListItem key={file.filename} disableGutters>
                <ListItemText
                  primary={
                    <span className={classes.file}>{file.filename}</span>
                  }
                  secondary={`${file.status} · +${file.additions} −${file.deletions}`}
                />
              </ListItem>
            ))}
          </List>
          {diff.files.length > shownFiles.length && (
            <Typography variant="caption">
              and {diff.files.length - shownFiles.length} more
            </Typography>
          )}
        </details>
      )}
    </Box>
  );
};
