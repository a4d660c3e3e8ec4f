import { resolve } from 'node:path';

const examples = resolve(__dirname, '../../../../examples');

/**
 * The parts of app-config.yaml the demo backend needs in tests: guest
 * sign-in, the permission framework, and the catalog reading examples/.
 */
export function demoConfig(extra: Record<string, unknown> = {}) {
  return {
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    auth: {
      providers: { guest: { userEntityRef: 'user:default/guest' } },
    },
    permission: { enabled: true },
    catalog: {
      rules: [{ allow: ['Component', 'System', 'Location', 'User', 'Group'] }],
      locations: [
        { type: 'file', target: `${examples}/entities.yaml` },
        { type: 'file', target: `${examples}/org.yaml` },
      ],
    },
    ...extra,
  };
}

/**
 * `deployments.aws` for a sandbox at `url`: its endpoints, account, region,
 * SNS topic and (for the sandbox only) its certificate host. What
 * `scripts/start.mjs` sets for `npm start`.
 */
export function sandboxAwsConfig(url: string) {
  const base = `${url}/aws`;
  return {
    defaultAccountId: '123456789012',
    defaultRegion: 'eu-west-1',
    endpoints: Object.fromEntries(
      [
        'codepipeline',
        'codedeploy',
        'cloudformation',
        'lambda',
        'cloudwatch',
        'tagging',
      ].map(service => [service, `${base}/${service}`]),
    ),
    sns: {
      topicArns: [
        'arn:aws:sns:eu-west-1:123456789012:stagecraft-deployment-events',
      ],
      sandboxCertificateHost: new URL(url).host,
    },
  };
}
