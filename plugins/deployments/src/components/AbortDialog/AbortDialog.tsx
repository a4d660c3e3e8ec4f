import { useId, useState } from 'react';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type {
  Deployment,
  EnvironmentSummary,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { versionLabel } from '../../format/version';
import {
  ActionDialog,
  DialogSection,
  useDeploymentAction,
} from '../ActionDialog';
import { AbortBody, abortMethodOf } from './abortApi';

export interface AbortDialogProps {
  entityRef: string;
  environment: EnvironmentSummary;
  /** The rollout to stop. */
  deployment: Deployment;
  onClose: () => void;
  onDone: () => void;
}

/** Stop a rollout in flight, by default putting the previous version back. */
export const AbortDialog = (props: AbortDialogProps) => {
  const api = useApi(deploymentsApiRef);
  const abort = abortMethodOf(api);
  const { environment, deployment } = props;
  const [rollback, setRollback] = useState(true);
  const [comment, setComment] = useState('');
  const fieldId = useId();
  const action = useDeploymentAction((body: AbortBody, options) =>
    abort
      ? abort(props.entityRef, body, options)
      : Promise.reject(
          new Error('Aborting a rollout is not available in this backend'),
        ),
  );
  const close = () => {
    if (action.response) props.onDone();
    props.onClose();
  };
  const label = versionLabel(deployment.version);

  return (
    <ActionDialog
      title={`Abort the rollout of ${label} in ${environment.name}`}
      submitLabel="Abort rollout"
      action={action}
      onSubmit={() =>
        action.submit({
          environment: environment.name,
          deploymentId: deployment.id,
          rollback,
          comment: comment.trim() || undefined,
        })
      }
      onClose={close}
    >
      <DialogSection title="Rollout">
        <Typography variant="body2">
          {label} is rolling out into {environment.name} through{' '}
          {deployment.provider}.
        </Typography>
        <FormControlLabel
          control={
            <Checkbox
              checked={rollback}
              onChange={e => setRollback(e.target.checked)}
              color="primary"
            />
          }
          label="Put the previous version back"
        />
      </DialogSection>
      <TextField
        id={`${fieldId}-comment`}
        label="Comment"
        value={comment}
        onChange={e => setComment(e.target.value)}
        helperText="Optional: why stop it (recorded in the audit log)."
        fullWidth
        multiline
        minRows={2}
        variant="outlined"
        margin="normal"
        inputProps={{ maxLength: 2000 }}
      />
    </ActionDialog>
  );
};
