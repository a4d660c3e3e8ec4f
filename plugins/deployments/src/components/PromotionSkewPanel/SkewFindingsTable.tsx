import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { SkewFinding } from '@stagecraft/plugin-deployments-common';
import { formatDuration } from '../../format/time';
import { versionDetail, versionLabel } from '../../format/version';
import { RelativeTime } from '../RelativeTime';

const useStyles = makeStyles(theme => ({
  detail: { color: theme.palette.text.secondary, display: 'block' },
}));

/** What a finding says, in words: "skipped staging" or "10 min in staging (minimum 30 min)". */
export function skewSummary(finding: SkewFinding): string {
  if (finding.kind === 'skipped') {
    return `never succeeded in ${finding.previousEnvironment} before`;
  }
  return `${formatDuration(finding.soakSeconds ?? 0)} in ${
    finding.previousEnvironment
  } (minimum ${formatDuration(finding.minimumSoakSeconds)})`;
}

/** The findings of the promotion-skew audit: what, where, when, and a link to each deployment. */
export const SkewFindingsTable = (props: {
  findings: SkewFinding[];
  /** Adds a column naming the entity of each finding (the portfolio). */
  showEntity?: boolean;
}) => {
  const classes = useStyles();
  return (
    <Table size="small" aria-label="Promotion-skew findings">
      <TableHead>
        <TableRow>
          {props.showEntity && <TableCell>Service</TableCell>}
          <TableCell>Version</TableCell>
          <TableCell>Into</TableCell>
          <TableCell>Finding</TableCell>
          <TableCell>Started</TableCell>
          <TableCell>Deployment</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.findings.map(finding => (
          <TableRow key={`${finding.entityRef} ${finding.deploymentId}`}>
            {props.showEntity && (
              <TableCell>
                <EntityRefLink entityRef={finding.entityRef} />
              </TableCell>
            )}
            <TableCell component="th" scope="row" role="rowheader">
              {versionLabel(finding.version)}
              {versionDetail(finding.version) && (
                <span className={classes.detail}>
                  {versionDetail(finding.version)}
                </span>
              )}
            </TableCell>
            <TableCell>{finding.environment}</TableCell>
            <TableCell>
              {finding.kind === 'skipped'
                ? `Skipped ${finding.previousEnvironment}`
                : 'Short soak'}
              <span className={classes.detail}>{skewSummary(finding)}</span>
            </TableCell>
            <TableCell>
              <RelativeTime value={finding.startedAt} />
            </TableCell>
            <TableCell>
              {finding.url ? (
                <Link to={finding.url}>
                  {finding.provider} deployment ({finding.state})
                </Link>
              ) : (
                `${finding.provider} ${finding.deploymentId} (${finding.state})`
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
