/**
 * The Stagecraft deployments frontend plugin.
 *
 * @packageDocumentation
 */
export {
  deploymentsPlugin,
  EntityDeploymentsContent,
  EntityDeploymentsCard,
} from './plugin';
export { deploymentsApiRef, type DeploymentsApi } from './api';
export { isDeploymentsAvailable } from './annotations';
