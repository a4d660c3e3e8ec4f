/**
 * GitHub provider for the Stagecraft deployments backend.
 *
 * @packageDocumentation
 */
export { deploymentsModuleGithub as default } from './module';
export {
  GithubDeploymentProvider,
  type GithubDeploymentProviderOptions,
} from './GithubDeploymentProvider';
export {
  GithubClientFactory,
  type GithubClientFactoryOptions,
} from './client/GithubClientFactory';
export {
  readGithubRepository,
  GITHUB_PROJECT_SLUG_ANNOTATION,
  GITHUB_PROMOTE_WORKFLOW_ANNOTATION,
  GITHUB_ENVIRONMENTS_ANNOTATION,
  DEFAULT_PROMOTE_WORKFLOW,
  PROMOTE_BY_DEPLOYMENT,
} from './annotations';
