export {
  DecisionDialog,
  type DecisionDialogProps,
  type Decision,
} from './DecisionDialog';
