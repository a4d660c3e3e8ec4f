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

/**
 * What aborting does, in words, from what the lane knows: which version the
 * traffic goes back to (the live side of the split, else the version that
 * ran before), or that it stays where it is.
 */
export function abortConsequence(
  environment: EnvironmentSummary,
  deployment: Deployment,
  rollback: boolean,
): string {
  const label = versionLabel(deployment.version);
  const stop = `${deployment.provider} stops the rollout of ${label} in ${environment.name}`;
  const shares = environment.traffic?.shares ?? [];
  const others = shares.filter(s => s.version.sha !== deployment.version.sha);
  const live =
    others.find(s => s.role === 'live')?.version ??
    (environment.current && environment.current.id !== deployment.id
      ? environment.current.version
      : undefined);
  if (!rollback) {
    const split =
      shares.length > 1
        ? `: traffic stays as it is (${shares
            .map(s => `${s.percent}% ${versionLabel(s.version)}`)
            .join(' / ')})`
        : ': what it already changed stays as it is';
    return `${stop}${split}.`;
  }
  return live
    ? `${stop} and moves all traffic back to ${versionLabel(
        live,
      )}, which ran before. The abort and your comment go into the audit log.`
    : `${stop} and puts the previous version back. The abort and your comment go into the audit log.`;
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
  const consequence = abortConsequence(environment, deployment, rollback);

  return (
    <ActionDialog
      title={`Abort the rollout of ${label} in ${environment.name}`}
      submitLabel="Abort rollout"
      blockedReason={
        comment.trim() ? undefined : 'A comment is required to abort a rollout'
      }
      action={action}
      onSubmit={() =>
        action.submit({
          environment: environment.name,
          deploymentId: deployment.id,
          rollback,
          comment: comment.trim(),
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
      <DialogSection title="What will happen">
        <Typography variant="body2">{consequence}</Typography>
      </DialogSection>
      <TextField
        id={`${fieldId}-comment`}
        label="Comment"
        value={comment}
        onChange={e => setComment(e.target.value)}
        helperText="Why stop it: recorded in the audit log."
        required
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
