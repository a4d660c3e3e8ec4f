export { DeploymentApprovalsCard } from './DeploymentApprovalsCard';
