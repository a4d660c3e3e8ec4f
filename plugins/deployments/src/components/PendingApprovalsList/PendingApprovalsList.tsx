import { useState } from 'react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  deploymentsApprovePermission,
  type PendingGate,
} from '@stagecraft/plugin-deployments-common';
import { versionDetail, versionLabel } from '../../format/version';
import { reviewersLabel } from '../../format/reviewers';
import { useApprovals } from '../../hooks/useApprovals';
import { useCurrentUserRef } from '../../hooks/useCurrentUser';
import { ActionButton } from '../ActionButton';
import { errorMessage } from '../ActionDialog/actionErrors';
import { Decision, DecisionDialog } from '../DecisionDialog';
import {
  approveAvailability,
  withPermission,
} from '../EnvironmentLane/laneActions';
import { RelativeTime } from '../RelativeTime';

const useStyles = makeStyles(theme => ({
  cell: { verticalAlign: 'top' },
  detail: { color: theme.palette.text.secondary, display: 'block' },
  sha: { fontFamily: 'monospace', color: theme.palette.text.secondary },
}));

const GateRow = (props: {
  gate: PendingGate;
  userEntityRef?: string;
  compact: boolean;
  onDecide: (gate: PendingGate, decision: Decision) => void;
}) => {
  const classes = useStyles();
  const { gate } = props;
  const approve = usePermission({
    permission: deploymentsApprovePermission,
    resourceRef: gate.entityRef,
  });
  const reviewers = reviewersLabel(gate.reviewers);
  return (
    <TableRow>
      <TableCell
        component="th"
        scope="row"
        role="rowheader"
        className={classes.cell}
      >
        <EntityRefLink entityRef={gate.entityRef} defaultKind="component" />
      </TableCell>
      <TableCell className={classes.cell}>{gate.environment}</TableCell>
      <TableCell className={classes.cell}>
        {versionLabel(gate.version)}{' '}
        {versionDetail(gate.version) && (
          <span className={classes.sha}>{versionDetail(gate.version)}</span>
        )}
      </TableCell>
      {!props.compact && (
        <TableCell className={classes.cell}>
          {gate.requestedBy ?? '—'}
          <Typography variant="caption" className={classes.detail}>
            reviewers: {reviewers || 'anyone allowed'}
          </Typography>
        </TableCell>
      )}
      <TableCell className={classes.cell}>
        <RelativeTime value={gate.since} />
        {gate.url && (
          <Typography variant="caption" className={classes.detail}>
            <Link to={gate.url}>open in {gate.provider}</Link>
          </Typography>
        )}
      </TableCell>
      <TableCell className={classes.cell}>
        <ActionButton
          variant="contained"
          availability={withPermission(
            approve,
            'approve deployments of',
            approveAvailability(gate, props.userEntityRef),
          )}
          onClick={() => props.onDecide(gate, 'approve')}
        >
          Approve
        </ActionButton>
        <ActionButton
          color="secondary"
          availability={withPermission(approve, 'reject deployments of', {
            enabled: true,
          })}
          onClick={() => props.onDecide(gate, 'reject')}
        >
          Reject
        </ActionButton>
      </TableCell>
    </TableRow>
  );
};

/**
 * Every pending gate the signed-in user may decide, across services, with
 * approve and reject at hand. `compact` drops the requester column for cards.
 */
export const PendingApprovalsList = ({
  compact = false,
}: {
  compact?: boolean;
}) => {
  const { value, loading, error, refresh } = useApprovals();
  const userEntityRef = useCurrentUserRef();
  const [open, setOpen] = useState<{ gate: PendingGate; decision: Decision }>();

  if (loading && !value) return <Progress />;
  if (error && !value) return <ResponseErrorPanel error={error} />;
  if (!value || value.gates.length === 0) {
    return (
      <EmptyState
        missing="info"
        title="Nothing is waiting for your approval"
        description="Deployments that need your decision will show up here."
      />
    );
  }
  const titles = ['Service', 'Environment', 'Version'];
  if (!compact) titles.push('Requested by');
  titles.push('Waiting since', 'Decision');

  return (
    <>
      {error && (
        <Alert severity="warning">
          Could not refresh: {errorMessage(error)}. The list may be out of date.
        </Alert>
      )}
      <TableContainer>
        <Table size="small" aria-label="Deployments waiting for my approval">
          <TableHead>
            <TableRow>
              {titles.map(title => (
                <TableCell key={title} component="th" scope="col">
                  {title}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {value.gates.map(gate => (
              <GateRow
                key={gate.id}
                gate={gate}
                compact={compact}
                userEntityRef={userEntityRef}
                onDecide={(g, decision) => setOpen({ gate: g, decision })}
              />
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      {open && (
        <DecisionDialog
          gate={open.gate}
          decision={open.decision}
          onClose={() => setOpen(undefined)}
          onDone={refresh}
        />
      )}
    </>
  );
};
