export { DeploymentApprovalsPage } from './DeploymentApprovalsPage';
