// What the docs may name: this repository's workspace packages, their npm
// scripts, whether they are published, and the packages the lockfile has.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The workspace of the repository at `root`, read once. */
export function readWorkspace(root) {
  const rootManifest = readJson(join(root, 'package.json'));
  const packages = [];
  for (const pattern of rootManifest.workspaces ?? []) {
    // The patterns are `folder/*`, as in this repository's package.json.
    const parent = pattern.replace(/\/\*$/, '');
    if (!existsSync(join(root, parent))) continue;
    for (const name of readdirSync(join(root, parent)).sort()) {
      const dir = `${parent}/${name}`;
      const file = join(root, dir, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = readJson(file);
      packages.push({
        name: manifest.name,
        dir,
        version: manifest.version,
        private: manifest.private === true,
        publishable:
          manifest.private !== true && manifest.publishConfig !== undefined,
        role: manifest.backstage?.role,
        scripts: manifest.scripts ?? {},
        dependencies: Object.keys(manifest.dependencies ?? {}),
      });
    }
  }
  const lock = existsSync(join(root, 'package-lock.json'))
    ? readJson(join(root, 'package-lock.json'))
    : { packages: {} };
  const locked = new Set(
    Object.keys(lock.packages ?? {})
      .map(key => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key)?.[1])
      .filter(Boolean),
  );
  const byName = new Map(packages.map(p => [p.name, p]));
  const byDir = new Map(packages.map(p => [p.dir, p]));
  return {
    root,
    rootScripts: rootManifest.scripts ?? {},
    packages,
    byName,
    byDir,
    /** Whether `name` is a package this repository installs (lockfile) or is. */
    knows: name => byName.has(name) || locked.has(name),
    /** The file name `npm pack` gives a workspace package's tarball. */
    tarballName: pkg =>
      `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`,
    /** Workspace Stagecraft packages a package depends on, transitively. */
    internalDependencies(name, seen = new Set()) {
      for (const dep of byName.get(name)?.dependencies ?? []) {
        if (byName.has(dep) && !seen.has(dep)) {
          seen.add(dep);
          this.internalDependencies(dep, seen);
        }
      }
      return seen;
    },
  };
}
