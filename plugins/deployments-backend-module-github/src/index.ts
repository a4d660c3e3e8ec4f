/**
 * GitHub provider for the Stagecraft deployments backend.
 *
 * @packageDocumentation
 */
export {
  readGithubRepository,
  GITHUB_PROJECT_SLUG_ANNOTATION,
} from './annotations';
