export {
  ActionDialog,
  DialogSection,
  type ActionDialogProps,
} from './ActionDialog';
export { useDeploymentAction } from './useDeploymentAction';
