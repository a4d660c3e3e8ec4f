#!/usr/bin/env node
// `npm run pack:plugins [-- --out <dir>] [-- --skip-tsc]`: type-checks the
// repository (the builds read dist-types), builds every publishable plugin
// with `backstage-cli package build` and packs it with `npm pack`, which runs
// the package's own prepack/postpack exactly as `npm publish` would. The
// tarballs land in <dir> (default: dist-packs/), with a manifest.json naming
// each package's tarball. One package at a time: builds are heavy.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const outArg = args.indexOf('--out');
const outDir = resolve(
  outArg >= 0 ? args[outArg + 1] : join(root, 'dist-packs'),
);
const skipTsc = args.includes('--skip-tsc');

// Dependency order: a package is built after the packages it imports.
export const PUBLISHABLE = [
  'plugins/deployments-common',
  'plugins/deployments-node',
  'plugins/deployments-backend',
  'plugins/deployments-backend-module-github',
  'plugins/deployments-backend-module-aws',
  'plugins/deployments',
];

function run(cmd, cmdArgs, cwd) {
  const started = Date.now();
  const result = spawnSync(cmd, cmdArgs, {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    throw new Error(`${cmd} ${cmdArgs.join(' ')} failed in ${cwd}`);
  }
  return { stdout: result.stdout, seconds: (Date.now() - started) / 1000 };
}

/** If a pack died between prepack and postpack, put the source manifest back. */
function restoreManifest(dir) {
  const backup = join(dir, 'package.json-prepack');
  if (existsSync(backup)) {
    renameSync(backup, join(dir, 'package.json'));
    rmSync(join(dir, 'config.schema.json'), { force: true });
    console.warn(`restored ${dir}/package.json from its prepack backup`);
  }
}

function main() {
  const packages = PUBLISHABLE.filter(dir =>
    existsSync(join(root, dir, 'package.json')),
  );
  if (!skipTsc) {
    const { seconds } = run('npx', ['tsc'], root);
    console.log(`tsc: ${seconds.toFixed(0)} s`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const manifest = {};
  for (const dir of packages) {
    const cwd = join(root, dir);
    const { name, version } = JSON.parse(
      readFileSync(join(cwd, 'package.json'), 'utf8'),
    );
    const build = run('npx', ['backstage-cli', 'package', 'build'], cwd);
    let packed;
    try {
      packed = run(
        'npm',
        ['pack', '--json', '--pack-destination', outDir],
        cwd,
      );
    } finally {
      restoreManifest(cwd);
    }
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
    manifest[name] = { version, file: info.filename, dir };
    console.log(
      `${name}@${version}: built in ${build.seconds.toFixed(0)} s, ` +
        `packed ${info.entryCount} files (${(info.size / 1024).toFixed(
          0,
        )} KiB) -> ${info.filename}`,
    );
  }
  writeFileSync(
    join(outDir, 'manifest.json'),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  console.log(`${Object.keys(manifest).length} packages packed into ${outDir}`);
}

try {
  main();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
