/**
 * The Stagecraft deployments frontend plugin.
 *
 * @packageDocumentation
 */
export {
  deploymentsPlugin,
  EntityDeploymentsContent,
  EntityDeploymentsCard,
  DeploymentApprovalsPage,
  DeploymentApprovalsCard,
} from './plugin';
export { deploymentsApiRef, type DeploymentsApi } from './api';
export { isDeploymentsAvailable } from './annotations';
