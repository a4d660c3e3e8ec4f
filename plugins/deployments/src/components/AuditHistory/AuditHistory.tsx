import { useMemo, useState, useId } from 'react';
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
import GetAppIcon from '@material-ui/icons/GetApp';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useDebounce from 'react-use/esm/useDebounce';
import {
  DEPLOYMENT_ACTIONS,
  type AuditOutcome,
  type DeploymentActionType,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { downloadTextFile } from '../../format/download';
import { versionLabel } from '../../format/version';
import { auditQuery, useAudit } from '../../hooks/useAudit';
import { errorMessage } from '../ActionDialog/actionErrors';
import { RelativeTime } from '../RelativeTime';
import { ReleaseEvidenceButton } from '../ReleaseEvidence';
import { SINCE_CHOICES, sinceDaysAgo } from '../PromotionTimeline/timeFilters';

const OUTCOMES: AuditOutcome[] = [
  'requested',
  'approved',
  'rejected',
  'executed',
  'failed',
  'refused',
];

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  filter: { minWidth: 160 },
  export: { marginLeft: 'auto' },
  detail: { color: theme.palette.text.secondary },
  cell: { verticalAlign: 'top' },
  // Short words and names stay whole (no "Environmen/t", "approve/d"); the
  // table scrolls sideways when the screen is narrower than it.
  nowrap: { verticalAlign: 'top', whiteSpace: 'nowrap' },
  wrap: { whiteSpace: 'normal' },
  evidence: { marginTop: theme.spacing(0.5) },
}));

const FilterSelect = (props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  allLabel: string;
  options: readonly string[];
}) => {
  const classes = useStyles();
  const fieldId = useId();
  return (
    <TextField
      select
      id={fieldId}
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      variant="outlined"
      size="small"
      className={classes.filter}
    >
      <option value="">{props.allLabel}</option>
      {props.options.map(option => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
    </TextField>
  );
};

function csvFileName(entityRef: string): string {
  return `deployments-audit-${entityRef.replace(/[:/]/g, '-')}.csv`;
}

export interface AuditHistoryProps {
  entityRef: string;
  environments: string[];
}

/** Every deployment and portal action on an entity: who, what, when, outcome. */
export const AuditHistory = (props: AuditHistoryProps) => {
  const classes = useStyles();
  const api = useApi(deploymentsApiRef);
  const [environment, setEnvironment] = useState('');
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState('');
  const [actorInput, setActorInput] = useState('');
  const [actor, setActor] = useState('');
  const [sinceDays, setSinceDays] = useState('');
  const [exporting, setExporting] = useState(false);
  const fieldId = useId();
  const [exportError, setExportError] = useState<string>();
  // Typing a name should not send one request per keystroke.
  useDebounce(() => setActor(actorInput), 400, [actorInput]);
  const since = useMemo(
    () => sinceDaysAgo(sinceDays ? Number(sinceDays) : undefined),
    [sinceDays],
  );
  const filters = {
    environment: environment || undefined,
    action: (action || undefined) as DeploymentActionType | undefined,
    outcome: (outcome || undefined) as AuditOutcome | undefined,
    actor: actor || undefined,
    since,
  };
  const audit = useAudit(props.entityRef, filters);

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      const csv = await api.getAuditCsv(props.entityRef, auditQuery(filters));
      downloadTextFile(csvFileName(props.entityRef), csv);
    } catch (e) {
      setExportError(errorMessage(e));
    } finally {
      setExporting(false);
    }
  };

  let body;
  if (audit.error && audit.entries.length === 0) {
    body = <ResponseErrorPanel error={audit.error} />;
  } else if (audit.loading && audit.entries.length === 0) {
    body = <Progress />;
  } else if (audit.entries.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No audit entries"
        description="Nothing matches these filters."
      />
    );
  } else {
    body = (
      <TableContainer>
        <Table size="small" aria-label="Audit history">
          <TableHead>
            <TableRow>
              {[
                'When',
                'Action',
                'Outcome',
                'Environment',
                'Version',
                'Who',
                'Comment',
              ].map(title => (
                <TableCell
                  key={title}
                  component="th"
                  scope="col"
                  className={classes.nowrap}
                >
                  {title}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {audit.entries.map(entry => (
              <TableRow key={entry.id}>
                <TableCell className={classes.nowrap}>
                  <RelativeTime value={entry.at} />
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {entry.action}
                  {entry.evidenceId && (
                    <div className={classes.evidence}>
                      <ReleaseEvidenceButton entry={entry} />
                    </div>
                  )}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {entry.outcome}
                  {entry.detail && (
                    <Typography
                      variant="caption"
                      component="div"
                      className={`${classes.detail} ${classes.wrap}`}
                    >
                      {entry.detail}
                    </Typography>
                  )}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {entry.environment}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {entry.version ? versionLabel(entry.version) : '—'}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {entry.actor}
                  {entry.providerIdentity && (
                    <Typography
                      variant="caption"
                      component="div"
                      className={classes.detail}
                    >
                      via {entry.providerIdentity}
                    </Typography>
                  )}
                </TableCell>
                <TableCell className={classes.cell}>
                  {entry.comment ?? ''}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  return (
    <InfoCard title="Audit history">
      <div className={classes.filters}>
        <FilterSelect
          label="Environment"
          allLabel="All environments"
          value={environment}
          onChange={setEnvironment}
          options={props.environments}
        />
        <FilterSelect
          label="Action"
          allLabel="All actions"
          value={action}
          onChange={setAction}
          options={DEPLOYMENT_ACTIONS}
        />
        <FilterSelect
          label="Outcome"
          allLabel="All outcomes"
          value={outcome}
          onChange={setOutcome}
          options={OUTCOMES}
        />
        <TextField
          id={`${fieldId}-actor`}
          label="Who"
          value={actorInput}
          onChange={e => setActorInput(e.target.value)}
          variant="outlined"
          size="small"
          className={classes.filter}
          placeholder="user:default/alice"
        />
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
        <Button
          className={classes.export}
          variant="outlined"
          startIcon={<GetAppIcon />}
          onClick={exportCsv}
          disabled={exporting}
        >
          {exporting ? 'Exporting…' : 'Export CSV'}
        </Button>
      </div>
      {exportError && (
        <Typography variant="body2" color="error" role="alert" gutterBottom>
          Export failed: {exportError}
        </Typography>
      )}
      {body}
      {audit.entries.length > 0 && (audit.hasMore || audit.error) && (
        <Box mt={2} display="flex" alignItems="center" gridGap={16}>
          {audit.error && (
            <Typography variant="body2" color="error" role="alert">
              Could not load more: {errorMessage(audit.error)}
            </Typography>
          )}
          {audit.hasMore && (
            <Button
              variant="outlined"
              onClick={audit.loadMore}
              disabled={audit.loading}
            >
              {audit.loading ? 'Loading…' : 'Load more'}
            </Button>
          )}
        </Box>
      )}
    </InfoCard>
  );
};
