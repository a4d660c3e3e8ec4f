export { SeededRandom } from './random';
export {
  createSandboxServer,
  DEFAULT_WEBHOOK_SECRET,
  DEFAULT_WEBHOOK_URL,
} from './server';
export type { SandboxServer, SandboxServerOptions } from './server';
export { Simulation } from './world/Simulation';
export { signatureOf } from './github/webhooks';
