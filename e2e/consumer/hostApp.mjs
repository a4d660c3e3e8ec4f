// A pristine legacy Backstage app, as `npx @backstage/create-app --legacy`
// writes it for this repository's Backstage release (backstage.json), turned
// into an npm workspace the way an npm user does it. create-app itself refuses
// to run here (it requires Yarn and Node 22+), so its own templating task is
// called with its own template: the files are the ones a new user gets.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The create-app release whose template is Backstage 1.55.0. */
export const CREATE_APP_VERSION = '0.9.2';

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Installs @backstage/create-app into `toolDir` (once) and returns its folder. */
function installCreateApp(toolDir) {
  const pkgDir = join(toolDir, 'node_modules', '@backstage', 'create-app');
  if (!existsSync(join(pkgDir, 'package.json'))) {
    mkdirSync(toolDir, { recursive: true });
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        toolDir,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `@backstage/create-app@${CREATE_APP_VERSION}`,
      ],
      { stdio: 'inherit' },
    );
  }
  return pkgDir;
}

/**
 * Writes the legacy app template into `appDir` and makes it an npm workspace.
 * With `alignWith` (a package-lock.json), also bumps the app's @backstage
 * dependencies to the versions of that lock, as `backstage-cli versions:bump`
 * does to the release a plugin is built against (versions:bump itself needs
 * the release manifest service, which this machine cannot reach).
 * Returns the Backstage release the template targets.
 */
export async function createHostApp({
  appDir,
  toolDir,
  expectedRelease,
  alignWith,
}) {
  const createAppDir = installCreateApp(toolDir);
  const require = createRequire(join(createAppDir, 'package.json'));
  const { templatingTask } = require('./dist/lib/tasks.cjs.js');
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });
  await templatingTask(join(createAppDir, 'templates', 'legacy-app'), appDir, {
    name: 'backstage',
    defaultBranch: 'main',
  });

  const release = readJson(join(appDir, 'backstage.json')).version;
  if (expectedRelease && release !== expectedRelease) {
    throw new Error(
      `create-app ${CREATE_APP_VERSION} writes Backstage ${release}, this repository is on ${expectedRelease}`,
    );
  }

  // Yarn -> npm: npm reads "overrides" where Yarn reads "resolutions", has no
  // "link:" protocol (a workspace is found by name) and no use for Yarn's files.
  const rootPkg = readJson(join(appDir, 'package.json'));
  delete rootPkg.packageManager;
  rootPkg.overrides = rootPkg.resolutions;
  delete rootPkg.resolutions;
  writeJson(join(appDir, 'package.json'), rootPkg);
  const backendPkgPath = join(appDir, 'packages', 'backend', 'package.json');
  const backendPkg = readJson(backendPkgPath);
  backendPkg.dependencies.app = '*';
  writeJson(backendPkgPath, backendPkg);
  if (alignWith) {
    alignBackstageVersions(appDir, alignWith);
  }
  for (const yarnFile of ['.yarnrc.yml', '.yarn', 'yarn.lock']) {
    rmSync(join(appDir, yarnFile), { recursive: true, force: true });
  }
  // The template's peer ranges do not all agree (React 18 vs. packages that
  // still declare 16/17); npm 7+ stops on that where Yarn only warns.
  writeFileSync(join(appDir, '.npmrc'), 'legacy-peer-deps=true\n');
  return { release };
}

/**
 * npm has no equivalent of create-app's yarn.lock seed: the template's caret
 * ranges float to the newest 1.x of some packages while 0.x ones stay on their
 * minor, and the result mixes releases (a signals backend that needs a newer
 * backend-defaults, two majors of catalog-react in one frontend). Setting the
 * direct @backstage dependencies to one release's versions keeps them coherent.
 */
function alignBackstageVersions(appDir, lockfilePath) {
  const lock = readJson(lockfilePath);
  const newest = new Map();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const match = path.match(/node_modules\/(@backstage\/[^/]+)$/);
    if (!match || !entry.version) continue;
    const current = newest.get(match[1]);
    if (!current || compareVersions(entry.version, current) > 0) {
      newest.set(match[1], entry.version);
    }
  }
  const bumped = [];
  for (const manifest of [
    'package.json',
    'packages/app/package.json',
    'packages/backend/package.json',
  ]) {
    const file = join(appDir, manifest);
    const pkg = readJson(file);
    for (const field of ['dependencies', 'devDependencies']) {
      for (const name of Object.keys(pkg[field] ?? {})) {
        const version = newest.get(name);
        if (version && pkg[field][name] !== `^${version}`) {
          bumped.push(`${name} ${pkg[field][name]} -> ^${version}`);
          pkg[field][name] = `^${version}`;
        }
      }
    }
    writeJson(file, pkg);
  }
  return bumped;
}

function compareVersions(a, b) {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  }
  return 0;
}
