import { useState } from 'react';
import Button from '@material-ui/core/Button';
import DescriptionIcon from '@material-ui/icons/Description';
import { useApi } from '@backstage/core-plugin-api';
import type { AuditEntry } from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { versionLabel } from '../../format/version';
import { ReleaseEvidenceDialog } from './ReleaseEvidenceDialog';

/** Opens an audit entry's release evidence; nothing for an entry that recorded none. */
export const ReleaseEvidenceButton = ({ entry }: { entry: AuditEntry }) => {
  const api = useApi(deploymentsApiRef);
  const [open, setOpen] = useState(false);
  // A client that predates evidence cannot fetch it: no control then.
  if (!entry.evidenceId || !api.getReleaseEvidence) return null;
  const what = [
    entry.action,
    entry.version ? versionLabel(entry.version) : undefined,
    `to ${entry.environment}`,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        startIcon={<DescriptionIcon />}
        onClick={() => setOpen(true)}
        aria-label={`Evidence of ${what}`}
        aria-haspopup="dialog"
      >
        Evidence
      </Button>
      {open && (
        <ReleaseEvidenceDialog
          entityRef={entry.entityRef}
          auditId={entry.id}
          open={open}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
};
