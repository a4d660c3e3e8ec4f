export { addPushProviders, readPushSources } from './pushSources';
export type { PushSource } from './pushSources';
export {
  PUSH_SOURCE_ANNOTATION,
  PushDeploymentProvider,
} from './PushDeploymentProvider';
export { createPushRouter } from './pushRouter';
export type { PushAccepted, PushRouterOptions } from './pushRouter';
