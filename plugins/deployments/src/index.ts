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
  PromotionSkewPage,
  EntityPromotionSkewPanel,
  EntityDeliveryMetricsPanel,
  EntityDeliveryMetricsCard,
} from './plugin';
export { deploymentsApiRef, type DeploymentsApi } from './api';
export {
  DeploymentsTabPrefetch,
  type DeploymentsTabPrefetchProps,
} from './components/DeploymentsTabPrefetch';
export {
  isDeploymentsAvailable,
  createIsDeploymentsAvailable,
  type DeploymentsAvailabilityOptions,
  GITHUB_PROJECT_SLUG_ANNOTATION,
  AWS_CODEPIPELINE_ARN_ANNOTATION,
  STAGECRAFT_ANNOTATION_PREFIX,
} from './annotations';
