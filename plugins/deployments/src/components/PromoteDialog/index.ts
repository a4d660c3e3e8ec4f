export { PromoteDialog, type PromoteDialogProps } from './PromoteDialog';
