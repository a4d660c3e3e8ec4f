export { SeededRandom } from './random';
export {
  createSandboxServer,
  DEFAULT_SNS_URL,
  DEFAULT_WEBHOOK_SECRET,
  DEFAULT_WEBHOOK_URL,
} from './server';
export {
  ACCOUNT_ID as AWS_ACCOUNT_ID,
  REGION as AWS_REGION,
} from './aws/cloud/account';
export { AWS_ENDPOINTS } from './aws/router';
export { SNS_TOPIC_ARN } from './aws/sns/topic';
export { canonicalStringOf } from './aws/sns/SnsPublisher';
export type { SnsPublisher } from './aws/sns/SnsPublisher';
export type { SandboxServer, SandboxServerOptions } from './server';
export { Simulation } from './world/Simulation';
export { signatureOf } from './github/webhooks';
