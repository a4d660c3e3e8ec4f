export {
  DeploymentStateChip,
  deploymentStateLabel,
} from './DeploymentStateChip';
