#!/usr/bin/env node
// Runs in a plugin's `prepack`, after `backstage-cli package prepack`: the
// workspace writes its internal dependencies as "*", which npm links inside
// the repository but which a published package must not carry. Each one is
// replaced by "^<version>" of the sibling package, so a tarball or a registry
// install resolves exactly the release line it was built with. The package
// folder's package.json is rewritten in place; `backstage-cli package
// postpack` restores the original from the backup prepack made.
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const manifestPath = resolve(process.cwd(), 'package.json');

if (!existsSync(resolve(process.cwd(), 'package.json-prepack'))) {
  console.error(
    'pin-internal-deps: no package.json-prepack here; run it after `backstage-cli package prepack` only',
  );
  process.exit(1);
}

// backstage-cli prepack leaves the source entry points in place when there is
// no dist/, which would publish a package that cannot load.
if (!existsSync(resolve(process.cwd(), 'dist', 'index.d.ts'))) {
  console.error(
    'pin-internal-deps: dist/ is missing or has no types; run `backstage-cli package build` (or `npm run pack:plugins` at the root) first',
  );
  process.exit(1);
}

/** name -> version of every workspace package under plugins/ and packages/. */
function workspaceVersions() {
  const versions = new Map();
  for (const group of ['plugins', 'packages']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const file = join(dir, entry, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      versions.set(pkg.name, { version: pkg.version, private: !!pkg.private });
    }
  }
  return versions;
}

const versions = workspaceVersions();
const pkg = JSON.parse(readFileSync(manifestPath, 'utf8'));
const pinned = [];
for (const field of [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
]) {
  for (const [name, range] of Object.entries(pkg[field] ?? {})) {
    const sibling = versions.get(name);
    if (!sibling) continue;
    if (sibling.private) {
      console.error(
        `pin-internal-deps: ${pkg.name} depends on the private package ${name} in ${field}; it cannot be published`,
      );
      process.exit(1);
    }
    if (range === '*' || range.startsWith('workspace:')) {
      pkg[field][name] = `^${sibling.version}`;
      pinned.push(`${name}@^${sibling.version}`);
    }
  }
}
writeFileSync(manifestPath, `${JSON.stringify(pkg, null, 2)}\n`);
if (pinned.length > 0) {
  console.log(`pin-internal-deps: ${pkg.name} -> ${pinned.join(', ')}`);
}
