// `npm start`: the demo portal (backend :7007, app :3000) and, whenever no
// real GitHub or no real AWS is configured, the sandbox beside it (:7100),
// standing in for whichever of the two is missing.
//
// Real GitHub is configured when GITHUB_TOKEN is set (the API then defaults to
// https://api.github.com) or when GITHUB_API_BASE_URL points somewhere other
// than the sandbox. Real AWS is configured when AWS credentials are in the
// environment (AWS_ACCESS_KEY_ID or AWS_PROFILE) or an `aws:` block is in your
// own config and STAGECRAFT_AWS=real is set. See docs/sandbox.md.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SANDBOX_PORT = process.env.SANDBOX_PORT ?? '7100';
const env = { ...process.env, SANDBOX_PORT };

const pointsAtSandbox = url =>
  /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/api\/v3\/?$/.test(url);
if (env.GITHUB_TOKEN && !env.GITHUB_API_BASE_URL) {
  env.GITHUB_API_BASE_URL = 'https://api.github.com';
}
const useGithubSandbox =
  !env.GITHUB_API_BASE_URL || pointsAtSandbox(env.GITHUB_API_BASE_URL);
const useAwsSandbox =
  env.STAGECRAFT_AWS !== 'real' && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE;
const useSandbox = useGithubSandbox || useAwsSandbox;

if (useAwsSandbox) {
  // The AWS provider talks to the sandbox's AWS stand-in: one endpoint per
  // service, the sandbox's account and region, its SNS topic, and its SNS
  // signing certificate host (trusted for the sandbox only). The stand-in
  // takes any credentials and checks no signature; these are placeholders,
  // not keys. Backstage reads APP_CONFIG_* as config (docs/sandbox.md).
  const base = `http://localhost:${SANDBOX_PORT}/aws`;
  const awsConfig = {
    // Static keys of the sandbox's account, so no STS call is made. The
    // logger redacts secret config values wherever they appear, so these
    // placeholders are not words that show up in log lines.
    aws_accounts: JSON.stringify([
      {
        accountId: '123456789012',
        accessKeyId: 'stand-in-access-key',
        secretAccessKey: 'stand-in-secret-key',
      },
    ]),
    // JSON, so the account id stays a string rather than a number.
    deployments_aws_defaultAccountId: JSON.stringify('123456789012'),
    deployments_aws_defaultRegion: 'eu-west-1',
    deployments_aws_sns_topicArns: JSON.stringify([
      'arn:aws:sns:eu-west-1:123456789012:stagecraft-deployment-events',
    ]),
    deployments_aws_sns_sandboxCertificateHost: `localhost:${SANDBOX_PORT}`,
  };
  for (const service of [
    'codepipeline',
    'codedeploy',
    'cloudformation',
    'lambda',
    'cloudwatch',
    'tagging',
  ]) {
    awsConfig[`deployments_aws_endpoints_${service}`] = `${base}/${service}`;
  }
  for (const [key, value] of Object.entries(awsConfig)) {
    env[`APP_CONFIG_${key}`] ??= value;
  }
}

const children = [];
let stopping = false;

function run(name, command, args, options) {
  const child = spawn(command, args, { stdio: 'inherit', env, ...options });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.log(
        `[start] ${name} stopped (${
          signal ?? `exit code ${code}`
        }); stopping the rest`,
      );
      stop(signal ?? 'SIGTERM', code ?? 1);
    }
  });
  return child;
}

function stop(signal, exitCode) {
  stopping = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null)
      child.kill(signal);
  }
  Promise.all(
    children.map(
      child =>
        new Promise(resolve =>
          child.exitCode !== null || child.signalCode !== null
            ? resolve()
            : child.once('exit', resolve),
        ),
    ),
  ).then(() => process.exit(exitCode));
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => stop(signal, 0));
}

if (useSandbox) {
  const standsIn = [useGithubSandbox && 'GitHub', useAwsSandbox && 'AWS']
    .filter(Boolean)
    .join(' and ');
  console.log(
    `[start] no real ${standsIn} configured: starting the sandbox for it on port ${SANDBOX_PORT}`,
  );
  run(
    'sandbox',
    process.execPath,
    ['--require', '@backstage/cli/config/nodeTransform.cjs', 'src/cli.ts'],
    {
      cwd: join(root, 'packages', 'sandbox'),
    },
  );
} else {
  console.log(
    `[start] using GitHub at ${env.GITHUB_API_BASE_URL} and real AWS; the sandbox is not started`,
  );
}
run(
  'portal',
  join(root, 'node_modules', '.bin', 'backstage-cli'),
  ['repo', 'start', ...process.argv.slice(2)],
  {
    cwd: root,
  },
);
