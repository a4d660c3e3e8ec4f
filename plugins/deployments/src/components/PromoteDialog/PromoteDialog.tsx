import { useState, useId } from 'react';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type {
  EnvironmentSummary,
  PromoteBody,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { commitLabel, versionLabel, versionRef } from '../../format/version';
import type { PermissionState } from '../../hooks/useDeploymentPermissions';
import {
  ActionDialog,
  DialogSection,
  useDeploymentAction,
} from '../ActionDialog';
import { ChangePreview } from '../ChangePreview';

export interface PromoteDialogProps {
  entityRef: string;
  source: EnvironmentSummary;
  target: EnvironmentSummary;
  /** Whether the user may skip the promotion order (with an audited reason). */
  overridePermission: PermissionState;
  onClose: () => void;
  onDone: () => void;
}

/** Promote the version running in one environment into the next. */
export const PromoteDialog = (props: PromoteDialogProps) => {
  const api = useApi(deploymentsApiRef);
  const { source, target } = props;
  const version = source.current!.version;
  const [comment, setComment] = useState('');
  const [overrideReason, setOverrideReason] = useState('');
  const fieldId = useId();
  const action = useDeploymentAction((body: PromoteBody, options) =>
    api.promote(props.entityRef, body, options),
  );

  const refused = (rule: string) =>
    action.refusedChecks?.some(c => c.rule === rule && !c.passed) ?? false;
  const commentRequired = refused('comment-required');
  const orderRefused = refused('promotion-order');
  const canOverride = orderRefused && props.overridePermission.allowed;

  let blockedReason: string | undefined;
  if (commentRequired && !comment.trim()) {
    blockedReason = 'A comment is required for this promotion';
  } else if (canOverride && !overrideReason.trim()) {
    blockedReason = 'Give a reason to override the promotion order';
  }

  const submit = () =>
    action.submit({
      environment: target.name,
      version: versionRef(version),
      comment: comment.trim() || undefined,
      overrideReason: canOverride ? overrideReason.trim() : undefined,
    });

  const close = () => {
    if (action.response) props.onDone();
    props.onClose();
  };

  return (
    <ActionDialog
      title={`Promote ${versionLabel(version)} to ${target.name}`}
      submitLabel={
        target.requiresApproval
          ? `Request promotion to ${target.name}`
          : `Promote to ${target.name}`
      }
      blockedReason={blockedReason}
      action={action}
      onSubmit={submit}
      onClose={close}
    >
      <DialogSection title="What ships">
        <Typography variant="body2" gutterBottom>
          {versionLabel(version)} ({commitLabel(version)}) from {source.name}{' '}
          into {target.name}, replacing{' '}
          {target.current
            ? versionLabel(target.current.version)
            : 'nothing (first deployment)'}
          .
        </Typography>
        <ChangePreview
          entityRef={props.entityRef}
          from={target.name}
          to={versionRef(version)}
        />
      </DialogSection>
      <DialogSection title="Gate">
        <Typography variant="body2">
          {target.requiresApproval
            ? `${target.name} requires an approval: the promotion waits until another person approves it.`
            : `${target.name} needs no approval: the promotion starts at once.`}
        </Typography>
      </DialogSection>
      <TextField
        id={`${fieldId}-comment`}
        label="Comment"
        value={comment}
        onChange={e => setComment(e.target.value)}
        required={commentRequired}
        error={commentRequired && !comment.trim()}
        helperText={
          commentRequired
            ? 'Required by policy: say why this promotion should happen.'
            : 'Optional: recorded in the audit log.'
        }
        fullWidth
        multiline
        minRows={2}
        variant="outlined"
        margin="normal"
        inputProps={{ maxLength: 2000 }}
      />
      {orderRefused &&
        (canOverride ? (
          <TextField
            id={`${fieldId}-override`}
            label="Override reason"
            value={overrideReason}
            onChange={e => setOverrideReason(e.target.value)}
            required
            helperText="You may skip the promotion order; the reason is audited."
            fullWidth
            multiline
            variant="outlined"
            margin="normal"
            inputProps={{ maxLength: 2000 }}
          />
        ) : (
          <Typography variant="body2" color="textSecondary">
            Only people with the deployments.override permission can skip the
            promotion order.
          </Typography>
        ))}
    </ActionDialog>
  );
};
