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
import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { MetricsDeployment } from '@stagecraft/plugin-deployments-common';
import { formatDuration } from '../../format/time';
import { versionLabel } from '../../format/version';
import { DeploymentStateChip } from '../DeploymentStateChip';
import { OUTCOME_LABELS } from './metricsFormat';

/** What the dialog lists: a title and the deployments behind one number. */
export interface DeploymentSelection {
  title: string;
  deployments: MetricsDeployment[];
}

// Cells keep their words whole; on a narrow screen the table scrolls sideways.
const useStyles = makeStyles({
  table: { '& th, & td': { whiteSpace: 'nowrap' } },
});

/** Lists the deployments that produced a number, each linked to its run. */
export const MetricsDeploymentsDialog = (props: {
  selection?: DeploymentSelection;
  showEntity?: boolean;
  onClose(): void;
}) => {
  const { selection } = props;
  const classes = useStyles();
  const narrow = useMediaQuery((theme: Theme) => theme.breakpoints.down('xs'));
  return (
    <Dialog
      open={Boolean(selection)}
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      fullScreen={narrow}
      aria-labelledby="metrics-deployments-title"
    >
      <DialogTitle id="metrics-deployments-title">
        {selection?.title}
      </DialogTitle>
      <DialogContent>
        {selection && selection.deployments.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            No deployments behind this number.
          </Typography>
        ) : (
          <TableContainer>
            <Table
              size="small"
              aria-label={selection?.title}
              className={classes.table}
            >
              <TableHead>
                <TableRow>
                  {props.showEntity && <TableCell>Service</TableCell>}
                  <TableCell>Version</TableCell>
                  <TableCell>State</TableCell>
                  <TableCell>Counted as</TableCell>
                  <TableCell>Created</TableCell>
                  <TableCell>Lead time</TableCell>
                  <TableCell>Restored in</TableCell>
                  <TableCell>Deployment</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {selection?.deployments.map(d => (
                  <TableRow key={`${d.entityRef} ${d.id}`}>
                    {props.showEntity && (
                      <TableCell>
                        <EntityRefLink entityRef={d.entityRef} />
                      </TableCell>
                    )}
                    <TableCell component="th" scope="row" role="rowheader">
                      {versionLabel(d.version)}
                    </TableCell>
                    <TableCell>
                      <DeploymentStateChip state={d.state} />
                    </TableCell>
                    <TableCell>{OUTCOME_LABELS[d.outcome]}</TableCell>
                    <TableCell>
                      {new Date(d.createdAt).toLocaleString('en-GB', {
                        dateStyle: 'medium',
                        timeStyle: 'short',
                        timeZone: 'UTC',
                      })}
                    </TableCell>
                    <TableCell>
                      {d.leadTimeSeconds === undefined
                        ? ''
                        : formatDuration(d.leadTimeSeconds)}
                    </TableCell>
                    <TableCell>
                      {d.restoreSeconds !== undefined &&
                        formatDuration(d.restoreSeconds)}
                      {d.restoreSeconds === undefined &&
                        (d.outcome === 'failed' ||
                          d.outcome === 'rolled_back' ||
                          d.outcome === 'hotfixed') &&
                        'not yet'}
                    </TableCell>
                    <TableCell>
                      {d.url ? (
                        <Link to={d.url}>{d.urlLabel ?? d.id}</Link>
                      ) : (
                        d.id
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
};
