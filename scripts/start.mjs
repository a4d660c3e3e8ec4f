// `npm start`: the demo portal (backend :7007, app :3000) and, whenever no
// real GitHub is configured, the GitHub sandbox beside it (:7100).
//
// Real GitHub is configured when GITHUB_TOKEN is set (the API then defaults to
// https://api.github.com) or when GITHUB_API_BASE_URL points somewhere other
// than the sandbox. See docs/sandbox.md.
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
const useSandbox =
  !env.GITHUB_API_BASE_URL || pointsAtSandbox(env.GITHUB_API_BASE_URL);

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
  console.log(
    `[start] no real GitHub configured: starting the sandbox on port ${SANDBOX_PORT}`,
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
    `[start] using GitHub at ${env.GITHUB_API_BASE_URL}; the sandbox is not started`,
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
