import { useState, useId } from 'react';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import { Link } from '@backstage/core-components';
import type {
  DecisionBody,
  PendingGate,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { commitLabel, versionLabel, versionRef } from '../../format/version';
import { reviewersLabel } from '../../format/reviewers';
import {
  ActionDialog,
  DialogSection,
  useDeploymentAction,
} from '../ActionDialog';
import { ChangePreview } from '../ChangePreview';
import { RelativeTime } from '../RelativeTime';

export type Decision = 'approve' | 'reject';

export interface DecisionDialogProps {
  gate: PendingGate;
  decision: Decision;
  onClose: () => void;
  onDone: () => void;
}

/** Approve or reject one pending gate, with the comment policy requires. */
export const DecisionDialog = (props: DecisionDialogProps) => {
  const api = useApi(deploymentsApiRef);
  const { gate, decision } = props;
  const [comment, setComment] = useState('');
  const fieldId = useId();
  const action = useDeploymentAction((body: DecisionBody, options) =>
    decision === 'approve'
      ? api.approve(gate.entityRef, body, options)
      : api.reject(gate.entityRef, body, options),
  );
  const verb = decision === 'approve' ? 'Approve' : 'Reject';
  const reviewers = reviewersLabel(gate.reviewers);

  const close = () => {
    if (action.response) props.onDone();
    props.onClose();
  };

  return (
    <ActionDialog
      title={`${verb} ${versionLabel(gate.version)} in ${gate.environment}`}
      submitLabel={verb}
      blockedReason={
        comment.trim() ? undefined : `A comment is required to ${decision}`
      }
      action={action}
      onSubmit={() =>
        action.submit({ gateId: gate.id, comment: comment.trim() })
      }
      onClose={close}
    >
      <DialogSection title="Gate">
        <Typography variant="body2">
          {versionLabel(gate.version)} ({commitLabel(gate.version)}) waits to
          enter {gate.environment} since <RelativeTime value={gate.since} />
          {gate.requestedBy ? `, requested by ${gate.requestedBy}` : ''}.
        </Typography>
        <Typography variant="body2">
          Reviewers: {reviewers || 'any person allowed to approve'}
          {gate.waitTimerMinutes
            ? ` · wait timer ${gate.waitTimerMinutes} min`
            : ''}
          {' · '}
          {gate.kind === 'provider'
            ? `decided through ${gate.provider}`
            : 'held by the portal'}
          {gate.url && (
            <>
              {' · '}
              <Link to={gate.url}>open in {gate.provider}</Link>
            </>
          )}
        </Typography>
      </DialogSection>
      <DialogSection title="What ships">
        <ChangePreview
          entityRef={gate.entityRef}
          from={gate.environment}
          to={versionRef(gate.version)}
        />
      </DialogSection>
      <TextField
        id={`${fieldId}-comment`}
        label="Comment"
        value={comment}
        onChange={e => setComment(e.target.value)}
        required
        helperText={`Required: say why you ${decision} (recorded in the audit log).`}
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
