import { useState, useId } from 'react';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import { Progress } from '@backstage/core-components';
import type {
  EnvironmentSummary,
  PromoteBody,
  Version,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { versionLabel, versionRef } from '../../format/version';
import { useTimeline } from '../../hooks/useTimeline';
import { formatRelativeTime } from '../../format/time';
import {
  ActionDialog,
  DialogSection,
  useDeploymentAction,
} from '../ActionDialog';
import { errorMessage } from '../ActionDialog/actionErrors';
import { ChangePreview } from '../ChangePreview';

export interface RollbackDialogProps {
  entityRef: string;
  environment: EnvironmentSummary;
  onClose: () => void;
  onDone: () => void;
}

interface Candidate {
  version: Version;
  deployedAt: string;
}

/** Roll an environment back to a version that succeeded there before. */
export const RollbackDialog = (props: RollbackDialogProps) => {
  const api = useApi(deploymentsApiRef);
  const { environment } = props;
  const currentSha = environment.current?.version.sha;
  const timeline = useTimeline(props.entityRef, {
    environment: [environment.name],
  });
  const candidates: Candidate[] = timeline.rows.flatMap(row => {
    const cell = row.cells[environment.name];
    if (!cell || cell.state !== 'success' || row.version.sha === currentSha) {
      return [];
    }
    return [
      { version: row.version, deployedAt: cell.finishedAt ?? cell.startedAt },
    ];
  });
  const [chosen, setChosen] = useState<string>();
  const target =
    candidates.find(c => c.version.sha === chosen) ?? candidates[0];
  const [comment, setComment] = useState('');
  const fieldId = useId();
  const action = useDeploymentAction((body: PromoteBody, options) =>
    api.rollback(props.entityRef, body, options),
  );

  const close = () => {
    if (action.response) props.onDone();
    props.onClose();
  };

  let picker;
  if (timeline.loading && candidates.length === 0) {
    picker = <Progress />;
  } else if (timeline.error) {
    picker = (
      <Typography variant="body2" color="error">
        Could not load earlier versions: {errorMessage(timeline.error)}
      </Typography>
    );
  } else if (!target) {
    picker = (
      <Typography variant="body2">
        No earlier version succeeded in {environment.name}.
      </Typography>
    );
  } else {
    picker = (
      <TextField
        select
        id={`${fieldId}-target`}
        label="Roll back to"
        value={target.version.sha}
        onChange={e => setChosen(e.target.value)}
        SelectProps={{ native: true }}
        InputLabelProps={{ shrink: true }}
        variant="outlined"
        size="small"
      >
        {candidates.map(c => (
          <option key={c.version.sha} value={c.version.sha}>
            {versionLabel(c.version)} (deployed{' '}
            {formatRelativeTime(c.deployedAt)})
          </option>
        ))}
      </TextField>
    );
  }

  return (
    <ActionDialog
      title={`Roll back ${environment.name}`}
      submitLabel={
        target ? `Roll back to ${versionLabel(target.version)}` : 'Roll back'
      }
      blockedReason={
        target ? undefined : 'There is no earlier successful version'
      }
      action={action}
      onSubmit={() =>
        target &&
        action.submit({
          environment: environment.name,
          version: versionRef(target.version),
          comment: comment.trim() || undefined,
        })
      }
      onClose={close}
    >
      <DialogSection title="Target">
        <Typography variant="body2" gutterBottom>
          {environment.name} runs{' '}
          {environment.current
            ? versionLabel(environment.current.version)
            : 'nothing'}{' '}
          now.
        </Typography>
        {picker}
      </DialogSection>
      {target && (
        <DialogSection title="What changes">
          <ChangePreview
            entityRef={props.entityRef}
            from={environment.name}
            to={versionRef(target.version)}
          />
        </DialogSection>
      )}
      <TextField
        id={`${fieldId}-comment`}
        label="Comment"
        value={comment}
        onChange={e => setComment(e.target.value)}
        helperText="Optional: why roll back (recorded in the audit log)."
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
