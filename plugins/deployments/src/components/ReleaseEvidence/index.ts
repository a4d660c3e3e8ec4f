export { ReleaseEvidenceButton } from './ReleaseEvidenceButton';
export {
  ReleaseEvidenceDialog,
  ReleaseEvidenceView,
  type ReleaseEvidenceDialogProps,
} from './ReleaseEvidenceDialog';
