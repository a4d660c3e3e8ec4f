// Follows docs/install.md in a host app: runs its install commands and puts
// each marked snippet where the text around it says. Every placement checks
// its anchor first, so a template or docs change that moves the anchor fails
// here with the file and the anchor named, never silently.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

function edit(file, change) {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`${file}: nothing changed`);
  writeFileSync(file, after);
}

function indent(code, spaces) {
  const pad = ' '.repeat(spaces);
  return code
    .split('\n')
    .map(line => (line ? pad + line : line))
    .join('\n');
}

/** Inserts `code` right after the first `anchor` that follows `scope`. */
function insertAfter(source, { scope = '', anchor, code, file }) {
  const scopeAt = source.indexOf(scope);
  const at = scopeAt < 0 ? -1 : source.indexOf(anchor, scopeAt);
  if (at < 0) throw new Error(`${file}: anchor not found: ${anchor}`);
  const end = at + anchor.length;
  return `${source.slice(0, end)}\n${code}${source.slice(end)}`;
}

/** Inserts `code` right before the first `anchor` that follows `scope`. */
function insertBefore(source, { scope = '', anchor, code, file }) {
  const scopeAt = source.indexOf(scope);
  const at = scopeAt < 0 ? -1 : source.indexOf(anchor, scopeAt);
  if (at < 0) throw new Error(`${file}: anchor not found: ${anchor}`);
  return `${source.slice(0, at)}${code}\n${source.slice(at)}`;
}

/**
 * Step 1 (and 3's tarball): the docs' shell commands. The docs set PACKS to a
 * placeholder path once, in step 1; here it is the real folder of tarballs.
 */
export function runInstallCommands({ appDir, packsDir, snippet, log }) {
  const script = snippet.replace(/^PACKS=.*$/m, `PACKS=${packsDir}`);
  for (const line of script.split('\n')) log(`$ ${line}`);
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: appDir,
    stdio: 'inherit',
    env: { ...process.env, PACKS: packsDir },
  });
}

/** Steps 2-6 and 8: backend, config, policy, owner, frontend, entity. */
export function applyInstallDocs({ appDir, docs, withAws }) {
  const backendIndex = join(appDir, 'packages/backend/src/index.ts');
  edit(backendIndex, source => {
    // Step 4: the allow-all block as the docs show it goes, the policy comes.
    const allowAll = `${docs.get('backend-index-allow-all')}\n`;
    if (!source.includes(allowAll)) {
      throw new Error(
        `${backendIndex}: the allow-all policy block of install.md step 4 is not there`,
      );
    }
    let next = source.replace(
      allowAll,
      `${docs.get('backend-index-policy')}\n`,
    );
    const added = [docs.get('backend-index')];
    if (withAws) added.push(docs.get('backend-index-aws'));
    next = insertBefore(next, {
      anchor: 'backend.start();',
      code: `${added.join('\n')}\n`,
      file: backendIndex,
    });
    return next;
  });
  writeFileSync(
    join(appDir, 'packages/backend/src/permissionPolicy.ts'),
    `${docs.get('permission-policy')}\n`,
  );

  // The app's own yaml package; keys of the docs replace the template's.
  const YAML = createRequire(join(appDir, 'package.json'))('yaml');
  const appConfig = join(appDir, 'app-config.yaml');
  edit(appConfig, source => {
    let config = YAML.parse(source);
    for (const name of ['app-config', 'app-config-guest']) {
      config = deepMerge(config, YAML.parse(docs.get(name)));
    }
    return YAML.stringify(config);
  });

  const entityPage = join(
    appDir,
    'packages/app/src/components/catalog/EntityPage.tsx',
  );
  edit(entityPage, source => {
    let next = `${docs.get('entity-page-imports')}\n${source}`;
    next = insertAfter(next, {
      scope: 'const serviceEntityPage = (',
      anchor: `<EntityLayout.Route path="/ci-cd" title="CI/CD">\n      {cicdContent}\n    </EntityLayout.Route>\n`,
      code: `${indent(docs.get('entity-page-tab'), 4)}\n`,
      file: entityPage,
    });
    return insertBefore(next, {
      scope: 'const overviewContent = (',
      anchor: '  </Grid>\n);',
      code: indent(docs.get('entity-page-card'), 4),
      file: entityPage,
    });
  });

  const appTsx = join(appDir, 'packages/app/src/App.tsx');
  edit(appTsx, source =>
    insertBefore(`${docs.get('app-imports')}\n${source}`, {
      anchor: '  </FlatRoutes>',
      code: indent(docs.get('app-route'), 4),
      file: appTsx,
    }),
  );

  const rootTsx = join(appDir, 'packages/app/src/components/Root/Root.tsx');
  edit(rootTsx, source =>
    insertAfter(`${docs.get('root-imports')}\n${source}`, {
      scope: '<SidebarGroup label="Menu"',
      anchor:
        '<SidebarItem icon={CreateComponentIcon} to="create" text="Create..." />',
      code: indent(docs.get('root-sidebar-item'), 8),
      file: rootTsx,
    }),
  );

  const entities = join(appDir, 'examples/entities.yaml');
  if (!existsSync(entities)) throw new Error(`${entities} is missing`);
  edit(
    entities,
    source => `${source.trimEnd()}\n---\n${docs.get('catalog-entity')}\n`,
  );
}

function deepMerge(base, extra) {
  if (!isObject(base) || !isObject(extra)) return extra;
  const merged = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    merged[key] = key in base ? deepMerge(base[key], value) : value;
  }
  return merged;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
