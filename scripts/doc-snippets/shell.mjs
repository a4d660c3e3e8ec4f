// Shell blocks: `bash -n`, then every npm (and `yarn add`) command is read:
// npm scripts must exist where the command runs them, installed packages
// must exist, Stagecraft packages must be published ones that belong in the
// workspace they go to, and tarball globs must name exactly one package.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Roles of the packages that belong in a create-app app's two workspaces. */
const WORKSPACE_ROLES = {
  'packages/app': [
    'frontend-plugin',
    'frontend-plugin-module',
    'web-library',
    'common-library',
  ],
  'packages/backend': [
    'backend-plugin',
    'backend-plugin-module',
    'node-library',
    'common-library',
  ],
};

const NPM_LIFECYCLE_SCRIPTS = new Set([
  'start',
  'test',
  't',
  'stop',
  'restart',
]);

/**
 * Checks one shell block. Returns `problems` ({ line: 0-based line of the
 * block, message }) and `installs` (each `npm install`/`yarn add` with its
 * workspace, `kind` registry or tarball, the packages and the line).
 */
export function checkShell(code, workspace) {
  const problems = [];
  const installs = [];
  const syntax = spawnSync('bash', ['-n'], { input: code, encoding: 'utf8' });
  if (syntax.status !== 0) {
    for (const line of syntax.stderr.trim().split('\n')) {
      const at = /line (\d+): (.*)$/.exec(line);
      // bash echoes the offending line after the error: not a problem of its own.
      if (at && at[2].startsWith('`')) continue;
      problems.push({
        line: at ? Number(at[1]) - 1 : 0,
        message: `bash -n: ${at ? at[2] : line}`,
      });
    }
    return { problems, installs };
  }
  for (const { line, words } of commands(code)) {
    const report = message => problems.push({ line, message });
    const args = [...words];
    while (args.length && /^[A-Za-z_]\w*=/.test(args[0])) args.shift();
    if (args[0] === 'npm') {
      checkNpm(args.slice(1), workspace, report, install =>
        installs.push({ ...install, line, tool: 'npm' }),
      );
    } else if (args[0] === 'yarn') {
      checkYarn(args.slice(1), workspace, report, install =>
        installs.push({ ...install, line, tool: 'yarn' }),
      );
    }
  }
  return { problems, installs };
}

function checkNpm(args, workspace, report, onInstall) {
  const { positional, workspaces } = readArgs(args, ['-w', '--workspace']);
  const [command, ...rest] = positional;
  if (command === 'run' || command === 'run-script') {
    if (!rest[0]) report('`npm run` without a script name');
    else checkScript(rest[0], workspaces, workspace, report);
  } else if (NPM_LIFECYCLE_SCRIPTS.has(command)) {
    checkScript(
      command === 't' ? 'test' : command,
      workspaces,
      workspace,
      report,
    );
  } else if (['install', 'i', 'add'].includes(command) && rest.length) {
    if (workspaces.length > 1) {
      report('one `npm install` per workspace, please: the check reads one -w');
    }
    checkInstall(rest, workspaces[0], workspace, report, onInstall);
  }
}

function checkYarn(args, workspace, report, onInstall) {
  const { positional, workspaces } = readArgs(args, ['--cwd']);
  if (positional[0] === 'add') {
    checkInstall(
      positional.slice(1),
      workspaces[0],
      workspace,
      report,
      onInstall,
    );
  } else if (positional[0] === 'workspace' && positional[2] === 'add') {
    const pkg = workspace.byName.get(positional[1]);
    checkInstall(
      positional.slice(3),
      pkg?.dir ?? positional[1],
      workspace,
      report,
      onInstall,
    );
  }
}

/** Splits flags (and the values of the `valued` ones) from positional words; `--` ends it. */
function readArgs(args, valued) {
  const positional = [];
  const workspaces = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    const inline = /^(--?[\w-]+)=(.*)$/.exec(arg);
    if (inline && valued.includes(inline[1])) workspaces.push(inline[2]);
    else if (valued.includes(arg)) workspaces.push(args[++i]);
    else if (!arg.startsWith('-')) positional.push(arg);
  }
  return { positional, workspaces: workspaces.map(w => w.replace(/\/$/, '')) };
}

function checkScript(script, workspaces, workspace, report) {
  if (workspaces.length === 0) {
    if (!(script in workspace.rootScripts)) {
      report(`\`${script}\` is not a script of the root package.json`);
    }
    return;
  }
  for (const name of workspaces) {
    const pkg = workspace.byDir.get(name) ?? workspace.byName.get(name);
    if (!pkg) report(`workspace '${name}' does not exist in this repository`);
    else if (!(script in pkg.scripts)) {
      report(`\`${script}\` is not a script of ${pkg.dir}/package.json`);
    }
  }
}

function checkInstall(specs, target, workspace, report, onInstall) {
  const registry = [];
  const tarballs = [];
  const allowed = WORKSPACE_ROLES[target];
  if (target !== undefined && !allowed && !workspace.byDir.has(target)) {
    report(
      `workspace '${target}' is neither packages/app nor packages/backend, nor one of this repository`,
    );
  }
  for (const spec of specs) {
    if (spec.endsWith('.tgz')) {
      const pkg = tarballPackage(spec, workspace, report);
      if (pkg) {
        tarballs.push(pkg.name);
        checkRole(pkg.name, pkg.role, target, allowed, report);
      }
      continue;
    }
    const name = spec.replace(/^(@?[^@]+)@.*$/, '$1');
    const pkg = workspace.byName.get(name);
    if (name.startsWith('@stagecraft/')) {
      if (!pkg) {
        report(
          `${name} is not a package of this repository (${[
            ...workspace.byName.keys(),
          ]
            .filter(n => n.startsWith('@stagecraft/'))
            .join(', ')})`,
        );
        continue;
      }
      if (!pkg.publishable) {
        report(
          `${name} is not published (private or without publishConfig), so it cannot be installed from a registry`,
        );
      }
      checkRole(name, pkg.role, target, allowed, report);
      registry.push(name);
    } else if (!workspace.knows(name)) {
      report(
        `${name} is not a package this repository installs (not in package-lock.json): a typo?`,
      );
    } else {
      checkRole(name, roleOf(name, workspace), target, allowed, report);
      registry.push(name);
    }
  }
  if (registry.length)
    onInstall({ workspace: target, kind: 'registry', packages: registry });
  if (tarballs.length)
    onInstall({ workspace: target, kind: 'tarball', packages: tarballs });
}

function checkRole(name, role, target, allowed, report) {
  if (allowed && role && !allowed.includes(role)) {
    report(`${name} is a ${role}: it does not belong in ${target}`);
  }
}

function roleOf(name, workspace) {
  const file = join(workspace.root, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')).backstage?.role;
}

/** The one publishable workspace package whose `npm pack` file the glob matches. */
function tarballPackage(spec, workspace, report) {
  const glob = spec.slice(spec.lastIndexOf('/') + 1);
  const pattern = new RegExp(
    `^${glob
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const matches = workspace.packages.filter(
    pkg => pkg.publishable && pattern.test(workspace.tarballName(pkg)),
  );
  if (matches.length !== 1) {
    report(
      `the tarball ${glob} matches ${
        matches.length === 0
          ? 'no packed package'
          : `${matches.length} packed packages (${matches
              .map(m => workspace.tarballName(m))
              .join(', ')})`
      }; it must match exactly one`,
    );
    return undefined;
  }
  return matches[0];
}

/**
 * The simple commands of a script, each with its line (0-based) and words:
 * continuation lines joined, comments dropped, quotes removed, split at
 * `&&`, `||`, `;` and `|`. `$(…)` stays one word.
 */
export function commands(code) {
  const result = [];
  let words = [];
  let word = null;
  let line = 0;
  let startLine = 0;
  const flushWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const flushCommand = () => {
    flushWord();
    if (words.length) result.push({ line: startLine, words });
    words = [];
  };
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (words.length === 0 && word === null) startLine = line;
    if (c === '\\' && code[i + 1] === '\n') {
      i++;
      line++;
      continue;
    }
    if (c === '\n') {
      line++;
      flushCommand();
    } else if (c === ' ' || c === '\t') {
      flushWord();
    } else if (c === '#' && word === null) {
      while (i + 1 < code.length && code[i + 1] !== '\n') i++;
    } else if (c === "'") {
      const end = code.indexOf("'", i + 1);
      word = (word ?? '') + code.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < code.length && code[j] !== '"') {
        if (code[j] === '\\') j++;
        text += code[j++];
      }
      word = (word ?? '') + text;
      i = j;
    } else if (c === '$' && code[i + 1] === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < code.length; j++) {
        if (code[j] === '(') depth++;
        else if (code[j] === ')' && --depth === 0) break;
      }
      word = (word ?? '') + code.slice(i, j + 1);
      i = j;
    } else if (c === '&' || c === '|' || c === ';') {
      if (code[i + 1] === c) i++;
      flushCommand();
    } else {
      word = (word ?? '') + c;
    }
  }
  flushCommand();
  return result;
}
