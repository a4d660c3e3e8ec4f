import { ReactNode } from 'react';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import type { ActionResponse } from '@stagecraft/plugin-deployments-common';
import { versionLabel } from '../../format/version';
import { PolicyChecks } from '../PolicyChecks';
import type { DeploymentActionState } from './useDeploymentAction';

const useStyles = makeStyles(theme => ({
  section: { marginBottom: theme.spacing(2) },
  blocked: { color: theme.palette.text.secondary, marginRight: 'auto' },
}));

export const DialogSection = (props: {
  title: string;
  children: ReactNode;
}) => {
  const classes = useStyles();
  return (
    <section className={classes.section} aria-label={props.title}>
      <Typography variant="subtitle2" component="h3" gutterBottom>
        {props.title}
      </Typography>
      {props.children}
    </section>
  );
};

function outcomeSentence(response: ActionResponse): string {
  const { request } = response;
  const what = `${versionLabel(request.version)} in ${request.environment}`;
  switch (request.state) {
    case 'pending':
      return `Requested: ${what} now waits for an approval.`;
    case 'approved':
      return `Approved: ${what} is on its way.`;
    case 'executed':
      return `Done: the ${
        request.action
      } of ${what} was handed to the provider${
        request.providerReference ? ` (${request.providerReference})` : ''
      }.`;
    case 'rejected':
      return `Rejected: ${what} will not be deployed.`;
    case 'failed':
      return `Failed: ${request.error ?? 'the provider refused the action'}.`;
    default:
      return `Recorded (${request.state}).`;
  }
}

export interface ActionDialogProps {
  title: string;
  submitLabel: string;
  /** Why the submit button is disabled, if it is (e.g. a required comment). */
  blockedReason?: string;
  action: DeploymentActionState;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
}

/**
 * The frame every action dialog shares: the content the caller gives, then
 * the refusal or error, then the result, and the buttons.
 */
export const ActionDialog = (props: ActionDialogProps) => {
  const classes = useStyles();
  const { action } = props;
  const done = Boolean(action.response);
  const failed = action.response?.request.state === 'failed';
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="deployments-action-title"
    >
      <DialogTitle id="deployments-action-title">{props.title}</DialogTitle>
      <DialogContent dividers>
        {props.children}
        {action.error && (
          <Alert severity="error" className={classes.section} role="alert">
            {action.error}
          </Alert>
        )}
        {action.refusedChecks && (
          <DialogSection title="Policy checks">
            <PolicyChecks checks={action.refusedChecks} />
          </DialogSection>
        )}
        {action.response && (
          <>
            <Alert
              severity={failed ? 'error' : 'success'}
              className={classes.section}
              role="status"
            >
              {outcomeSentence(action.response)}
            </Alert>
            {action.response.checks.length > 0 && (
              <DialogSection title="Policy checks">
                <PolicyChecks checks={action.response.checks} />
              </DialogSection>
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {!done && props.blockedReason && (
          <Typography
            id="deployments-action-blocked"
            variant="caption"
            className={classes.blocked}
          >
            {props.blockedReason}
          </Typography>
        )}
        <Button onClick={props.onClose}>{done ? 'Close' : 'Cancel'}</Button>
        {!done && (
          <Button
            variant="contained"
            color="primary"
            disabled={Boolean(props.blockedReason) || action.submitting}
            aria-describedby={
              props.blockedReason ? 'deployments-action-blocked' : undefined
            }
            onClick={props.onSubmit}
            startIcon={
              action.submitting ? <CircularProgress size={16} /> : undefined
            }
          >
            {props.submitLabel}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
};
