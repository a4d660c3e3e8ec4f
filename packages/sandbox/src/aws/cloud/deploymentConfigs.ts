/** CodeDeploy's predefined Lambda deployment configurations (what SAM's DeploymentPreference names map to). */
export interface DeploymentConfig {
  name: string;
  id: string;
  type: 'TimeBasedCanary' | 'TimeBasedLinear' | 'AllAtOnce';
  /** Percentage shifted per step, and minutes between steps. */
  percentage?: number;
  intervalMinutes?: number;
}

const canary = (minutes: number, id: string): DeploymentConfig => ({
  name: `CodeDeployDefault.LambdaCanary10Percent${minutes}Minutes`,
  id,
  type: 'TimeBasedCanary',
  percentage: 10,
  intervalMinutes: minutes,
});
const linear = (minutes: number, id: string): DeploymentConfig => ({
  name: `CodeDeployDefault.LambdaLinear10PercentEvery${minutes}Minute${
    minutes === 1 ? '' : 's'
  }`,
  id,
  type: 'TimeBasedLinear',
  percentage: 10,
  intervalMinutes: minutes,
});

export const DEPLOYMENT_CONFIGS: readonly DeploymentConfig[] = [
  canary(5, '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a001'),
  canary(10, '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a002'),
  canary(15, '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a003'),
  canary(30, '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a004'),
  linear(1, '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a005'),
  linear(2, '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a006'),
  linear(3, '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a007'),
  linear(10, '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a008'),
  {
    name: 'CodeDeployDefault.LambdaAllAtOnce',
    id: '2bb4b2a9-4f1b-4b79-9b8a-5d1cb2f0a009',
    type: 'AllAtOnce',
  },
];

export function findDeploymentConfig(name: string) {
  return DEPLOYMENT_CONFIGS.find(c => c.name === name);
}
