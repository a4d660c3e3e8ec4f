export { RollbackDialog, type RollbackDialogProps } from './RollbackDialog';
