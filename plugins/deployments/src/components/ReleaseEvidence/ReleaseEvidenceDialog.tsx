import type { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useMediaQuery from '@material-ui/core/useMediaQuery';
import { makeStyles, Theme } from '@material-ui/core/styles';
import GetAppIcon from '@material-ui/icons/GetApp';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  releaseEvidenceFileName,
  releaseEvidenceMarkdown,
  type ReleaseEvidence,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { downloadTextFile } from '../../format/download';
import { commitLabel, shortSha, versionLabel } from '../../format/version';
import { PolicyChecks } from '../PolicyChecks';

const useStyles = makeStyles(theme => ({
  section: { marginTop: theme.spacing(2) },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
  },
  mono: { fontFamily: 'monospace', overflowWrap: 'anywhere' },
  // Short cells (a commit, a login, a number) stay whole; the message wraps,
  // and on a narrow screen the table scrolls sideways.
  short: { whiteSpace: 'nowrap', fontFamily: 'inherit' },
  shortMono: { whiteSpace: 'nowrap', fontFamily: 'monospace' },
  // Room for a title to wrap between words rather than inside them.
  message: { minWidth: '12em', wordBreak: 'normal', overflowWrap: 'anywhere' },
  // Backstage's theme cuts a dense list's text to one line: the reasons must read whole.
  checks: { '& li > div:last-child': { whiteSpace: 'normal' } },
  unavailable: {
    padding: theme.spacing(1, 2),
    borderLeft: `4px solid ${theme.palette.warning.main}`,
    backgroundColor: theme.palette.background.default,
    color: theme.palette.text.primary,
  },
  hash: {
    padding: theme.spacing(1, 2),
    backgroundColor: theme.palette.background.default,
    color: theme.palette.text.primary,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
}));

const Facts = ({ rows }: { rows: Array<[string, ReactNode]> }) => {
  const classes = useStyles();
  return (
    <dl className={classes.facts}>
      {rows.map(([term, value]) => (
        <Box key={term} display="contents">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </Box>
      ))}
    </dl>
  );
};

const Section = (props: { title: string; children: ReactNode }) => {
  const classes = useStyles();
  return (
    <section className={classes.section} aria-label={props.title}>
      <Typography variant="h6" component="h3" gutterBottom>
        {props.title}
      </Typography>
      {props.children}
    </section>
  );
};

function webLink(url: string | undefined, label: ReactNode) {
  return url && /^https?:\/\//i.test(url) ? (
    <Link to={url}>{label}</Link>
  ) : (
    label
  );
}

/** What one release shipped, readable: who and when, checks, gate, pull requests, commits, hash. */
export const ReleaseEvidenceView = ({
  evidence,
}: {
  evidence: ReleaseEvidence;
}) => {
  const classes = useStyles();
  const { gate, changes } = evidence;
  return (
    <>
      <Facts
        rows={[
          ['Action', `${evidence.action} (${evidence.outcome})`],
          ['Environment', evidence.environment],
          [
            'Version',
            <span key="v">
              {versionLabel(evidence.version)}{' '}
              <span className={classes.mono}>
                {evidence.version.commitUnknown
                  ? commitLabel(evidence.version)
                  : evidence.version.sha}
              </span>
            </span>,
          ],
          ['Who', evidence.actor],
          ...(evidence.providerIdentity
            ? [
                ['Provider identity', evidence.providerIdentity] as [
                  string,
                  string,
                ],
              ]
            : []),
          ['When', evidence.recordedAt],
          ['Comment', evidence.comment ?? '—'],
          ['Audit entry', evidence.auditId],
          ...(evidence.requestId
            ? [['Promotion request', evidence.requestId] as [string, string]]
            : []),
        ]}
      />
      <Section title="Policy checks">
        {evidence.checks.length ? (
          <div className={classes.checks}>
            <PolicyChecks checks={evidence.checks} />
          </div>
        ) : (
          <Typography variant="body2">None recorded.</Typography>
        )}
      </Section>
      <Section title="Gate">
        {gate.kind === 'none' ? (
          <Typography variant="body2">No gate: {gate.rule}.</Typography>
        ) : (
          <Facts
            rows={[
              [
                'Gate',
                <span key="g" className={classes.mono}>
                  {gate.id ?? '—'}
                </span>,
              ],
              ['Provider', gate.provider ?? '—'],
              [
                'Reviewers',
                gate.reviewers.length
                  ? gate.reviewers.map(r => `${r.name} (${r.type})`).join(', ')
                  : '—',
              ],
              ['Who may decide', gate.rule],
              ['Requested by', gate.requestedBy ?? '—'],
              ['Decision', gate.decision ?? 'not decided yet'],
              ...(gate.decidedBy
                ? [['Decided by', gate.decidedBy] as [string, string]]
                : []),
              ...(gate.decisionComment
                ? [
                    ['Decision comment', gate.decisionComment] as [
                      string,
                      string,
                    ],
                  ]
                : []),
            ]}
          />
        )}
      </Section>
      <Section title="Changes">
        {changes.status === 'unavailable' ? (
          <Typography variant="body2" className={classes.unavailable}>
            Changes unavailable: {changes.reason}
          </Typography>
        ) : (
          <>
            <Typography variant="body2" gutterBottom>
              From {changes.from.ref} ({shortSha(changes.from.sha)}) to{' '}
              {changes.to.ref} ({shortSha(changes.to.sha)}):{' '}
              {changes.totalCommits} commit
              {changes.totalCommits === 1 ? '' : 's'},{' '}
              {changes.pullRequests.length} pull request
              {changes.pullRequests.length === 1 ? '' : 's'}
              {changes.truncated
                ? ` (the source control listed ${changes.commits.length})`
                : ''}
              .
            </Typography>
            {changes.pullRequests.length > 0 && (
              <TableContainer>
                <Table size="small" aria-label="Pull requests">
                  <TableHead>
                    <TableRow>
                      {['#', 'Title', 'Author'].map(title => (
                        <TableCell
                          key={title}
                          component="th"
                          scope="col"
                          className={classes.short}
                        >
                          {title}
                        </TableCell>
                      ))}
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {changes.pullRequests.map(pull => (
                      <TableRow key={pull.number}>
                        <TableCell className={classes.short}>
                          {webLink(pull.url, `#${pull.number}`)}
                        </TableCell>
                        <TableCell className={classes.message}>
                          {pull.title}
                        </TableCell>
                        <TableCell className={classes.short}>
                          {pull.author}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </TableContainer>
            )}
            <TableContainer>
              <Table size="small" aria-label="Commits">
                <TableHead>
                  <TableRow>
                    {['Commit', 'Message', 'Author', 'PR'].map(title => (
                      <TableCell
                        key={title}
                        component="th"
                        scope="col"
                        className={classes.short}
                      >
                        {title}
                      </TableCell>
                    ))}
                  </TableRow>
                </TableHead>
                <TableBody>
                  {changes.commits.map(commit => (
                    <TableRow key={commit.sha}>
                      <TableCell className={classes.shortMono}>
                        {webLink(commit.url, shortSha(commit.sha))}
                      </TableCell>
                      <TableCell className={classes.message}>
                        {commit.message}
                      </TableCell>
                      <TableCell className={classes.short}>
                        {commit.authorLogin ?? commit.author}
                      </TableCell>
                      <TableCell className={classes.short}>
                        {commit.pullRequest ? `#${commit.pullRequest}` : '—'}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          </>
        )}
      </Section>
      {changes.status === 'available' && (
        <Section title="Change-set hash">
          <Typography variant="body2" component="div" className={classes.hash}>
            SHA-256 ({changes.hash.canonicalization}):{' '}
            <span className={classes.mono}>{changes.hash.value}</span>
          </Typography>
          <Typography variant="caption" component="p">
            Recompute it from the JSON download: the Markdown download and
            docs/policies.md say how.
          </Typography>
        </Section>
      )}
    </>
  );
};

export interface ReleaseEvidenceDialogProps {
  entityRef: string;
  auditId: string;
  open: boolean;
  onClose: () => void;
}

/** One audit entry's release evidence, with JSON and Markdown downloads. */
export const ReleaseEvidenceDialog = (props: ReleaseEvidenceDialogProps) => {
  const api = useApi(deploymentsApiRef);
  const { entityRef, auditId, open } = props;
  const { value, loading, error } = useAsyncRetry(async () => {
    if (!open || !api.getReleaseEvidence) return undefined;
    return api.getReleaseEvidence(entityRef, auditId);
  }, [api, entityRef, auditId, open]);
  const titleId = `release-evidence-${auditId}`;
  const narrow = useMediaQuery((theme: Theme) => theme.breakpoints.down('xs'));

  const download = (format: 'json' | 'md') => {
    if (!value) return;
    if (format === 'json') {
      downloadTextFile(
        releaseEvidenceFileName(value, 'json'),
        `${JSON.stringify(value, null, 2)}\n`,
        'application/json;charset=utf-8',
      );
    } else {
      downloadTextFile(
        releaseEvidenceFileName(value, 'md'),
        releaseEvidenceMarkdown(value),
        'text/markdown;charset=utf-8',
      );
    }
  };

  return (
    <Dialog
      open={open}
      onClose={props.onClose}
      aria-labelledby={titleId}
      maxWidth="md"
      fullWidth
      fullScreen={narrow}
    >
      <DialogTitle id={titleId}>
        Release evidence
        {value
          ? `: ${value.action} ${versionLabel(value.version)} to ${
              value.environment
            }`
          : ''}
      </DialogTitle>
      <DialogContent dividers>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && <ReleaseEvidenceView evidence={value} />}
      </DialogContent>
      <DialogActions>
        <Button
          startIcon={<GetAppIcon />}
          onClick={() => download('json')}
          disabled={!value}
        >
          Download JSON
        </Button>
        <Button
          startIcon={<GetAppIcon />}
          onClick={() => download('md')}
          disabled={!value}
        >
          Download Markdown
        </Button>
        <Button onClick={props.onClose} color="primary">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
};
