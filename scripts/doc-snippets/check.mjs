#!/usr/bin/env node
// `npm run test:docs` (part of `npm test`): every fenced code block of
// README.md and docs/**/*.md is checked by its language. See README.md in
// this folder for what each language gets and the markers a block can carry.
//
//   node scripts/doc-snippets/check.mjs [file.md …]   (default: all the docs)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { extractBlocks } from './markdown.mjs';
import { checkShell } from './shell.mjs';
import { CONTEXTS, checkTypeScript } from './typescript.mjs';
import { readWorkspace } from './workspace.mjs';
import { createYamlChecker } from './yaml.mjs';

const LANGUAGES = {
  ts: 'ts',
  typescript: 'ts',
  tsx: 'tsx',
  yaml: 'yaml',
  yml: 'yaml',
  json: 'json',
  sh: 'sh',
  bash: 'sh',
  shell: 'sh',
  // Prose: shown, never run or parsed.
  text: 'prose',
  http: 'prose',
  mermaid: 'prose',
  // No checker for these; shown as the reader's CI would run them.
  groovy: 'prose',
};

const GUIDE = 'scripts/doc-snippets/README.md';

/** The markdown files the check reads by default. */
export function docFiles(root) {
  const docs = readdirSync(join(root, 'docs'), { recursive: true })
    .filter(file => String(file).endsWith('.md'))
    .map(file => join('docs', String(file)))
    .sort();
  // The package READMEs are what npm shows a new user: checked too.
  const packages = readdirSync(join(root, 'plugins'))
    .map(name => join('plugins', name, 'README.md'))
    .filter(file => existsSync(join(root, file)))
    .sort();
  return ['README.md', ...docs, ...packages];
}

/**
 * Checks the code blocks of `files` (paths relative to `root`, or absolute).
 * Returns `problems` ({ doc, line, message }, sorted) and `counts` (blocks
 * per way they were checked).
 */
export async function checkDocs({ root, files = docFiles(root) }) {
  const workspace = readWorkspace(root);
  const problems = [];
  const counts = {};
  const count = what => (counts[what] = (counts[what] ?? 0) + 1);
  const typescript = [];
  const yaml = [];
  const installs = [];
  const consumerTestBlocks = new Map();

  for (const file of files) {
    const doc = file;
    const markdown = readFileSync(resolve(root, file), 'utf8');
    const { blocks, problems: fences } = extractBlocks(markdown);
    for (const fence of fences) problems.push({ doc, ...fence });
    for (const block of blocks) {
      const report = (line, message) => problems.push({ doc, line, message });
      const lang = LANGUAGES[block.lang];
      if (!block.lang) {
        report(
          block.line,
          `code block without a language: name one (${Object.keys(
            LANGUAGES,
          ).join(', ')}); see ${GUIDE}`,
        );
        continue;
      }
      if (!lang) {
        report(
          block.line,
          `code block in '${
            block.lang
          }', which the check does not know: use one of ${Object.keys(
            LANGUAGES,
          ).join(', ')} (text for prose); see ${GUIDE}`,
        );
        continue;
      }
      if (block.markers.consumerTest) {
        consumerTestBlocks.set(block.markers.consumerTest.text, { doc, block });
      }
      const marker = readMarker(block.markers.snippet);
      if (marker.problem) {
        report(block.markers.snippet.line, marker.problem);
        continue;
      }
      const at = rel => block.codeLine + rel;
      if (marker.kind === 'fragment' && lang !== 'ts' && lang !== 'tsx') {
        report(
          block.markers.snippet.line,
          `'fragment of' is for ts and tsx blocks, this one is ${block.lang}`,
        );
        continue;
      }
      if (marker.kind === 'parse-only' && lang !== 'yaml') {
        report(
          block.markers.snippet.line,
          `'parse-only' is for yaml blocks, this one is ${block.lang}`,
        );
        continue;
      }
      if (lang === 'prose') {
        count(`prose (${block.lang})`);
      } else if (lang === 'ts' || lang === 'tsx') {
        count(
          marker.kind === 'fragment'
            ? `${lang} fragment, type-checked`
            : `${lang}, type-checked`,
        );
        typescript.push({
          doc,
          line: block.codeLine,
          lang,
          code: block.code,
          context: marker.context,
        });
      } else if (lang === 'yaml') {
        yaml.push({ doc, block, parseOnly: marker.kind === 'parse-only' });
      } else if (lang === 'json') {
        count('json, parsed');
        const error = jsonProblem(block.code);
        if (error) report(at(error.line), `JSON: ${error.message}`);
      } else if (lang === 'sh') {
        count('sh, bash -n and npm commands');
        const result = checkShell(block.code, workspace);
        for (const p of result.problems) report(at(p.line), p.message);
        for (const install of result.installs) {
          installs.push({
            ...install,
            doc,
            section: block.section,
            line: at(install.line),
          });
        }
      }
    }
  }

  if (typescript.length) problems.push(...checkTypeScript(root, typescript));
  problems.push(...contextProblems(typescript, consumerTestBlocks));
  if (yaml.length) {
    const checker = await createYamlChecker(root);
    for (const { doc, block, parseOnly } of yaml) {
      const { problems: found, checkedAs } = await checker.check(block.code, {
        parseOnly,
      });
      count(
        `yaml, ${
          checkedAs === 'parsed' ? 'parsed only' : `validated as ${checkedAs}`
        }`,
      );
      for (const p of found)
        problems.push({
          doc,
          line: block.codeLine + p.line,
          message: p.message,
        });
    }
  }
  problems.push(...installProblems(installs, workspace));

  problems.sort((a, b) =>
    a.doc === b.doc ? a.line - b.line : a.doc < b.doc ? -1 : 1,
  );
  return { problems, counts };
}

/**
 * A context that stands for a block of the docs (its prelude holds that
 * block's imports) must import nothing that block does not, so it cannot
 * drift from it. Checked when that block is among the files read.
 */
function contextProblems(snippets, consumerTestBlocks) {
  const problems = [];
  const used = new Set(snippets.map(s => s.context).filter(Boolean));
  for (const name of used) {
    const context = CONTEXTS[name];
    const mirrored =
      context.mirrorsConsumerTest &&
      consumerTestBlocks.get(context.mirrorsConsumerTest);
    if (!mirrored) continue;
    const theirs = importedNames(mirrored.block.code);
    const missing = [...importedNames(context.prelude)].filter(
      n => !theirs.has(n),
    );
    if (missing.length) {
      problems.push({
        doc: mirrored.doc,
        line: mirrored.block.codeLine,
        message: `the fragment context '${name}' (scripts/doc-snippets/typescript.mjs) imports ${missing.join(
          ', ',
        )}, which this block no longer does: update the context's prelude`,
      });
    }
  }
  return problems;
}

/** `module:name` of every named import of a piece of code. */
function importedNames(code) {
  const names = new Set();
  for (const [, list, from] of code.matchAll(
    /import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/g,
  )) {
    for (const item of list
      .split(',')
      .map(s => s.trim())
      .filter(Boolean)) {
      names.add(`${from}:${item.replace(/^type\s+/, '')}`);
    }
  }
  return names;
}

/** `<!-- snippet: … -->` → { kind, context } or { problem }. */
function readMarker(marker) {
  if (!marker) return {};
  const text = marker.text;
  const fragment = /^fragment of (.+)$/.exec(text);
  if (fragment) {
    const context = fragment[1].trim();
    if (!(context in CONTEXTS)) {
      return {
        problem: `unknown fragment context '${context}'; known: ${Object.keys(
          CONTEXTS,
        )
          .map(c => `'${c}'`)
          .join(', ')} (add one to scripts/doc-snippets/typescript.mjs)`,
      };
    }
    return { kind: 'fragment', context };
  }
  if (/^parse-only\b/.test(text)) {
    if (!/^parse-only\s*[—:-]\s*\S/.test(text)) {
      return {
        problem:
          "'parse-only' needs a reason: <!-- snippet: parse-only — a GitHub Actions workflow -->",
      };
    }
    return { kind: 'parse-only' };
  }
  return {
    problem: `unknown snippet marker '${text}': use 'fragment of <context>' or 'parse-only — <what it is>'; see ${GUIDE}`,
  };
}

/**
 * JSON.parse, with `…` outside strings allowed to stand for elided values
 * (`[ … ]`, `{ … }`, `"a": 1, …`). Returns { line, message } or undefined.
 */
export function jsonProblem(code) {
  let text = '';
  let inString = false;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (inString) {
      text += c;
      if (c === '\\') text += code[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      text += c;
    } else if (c === '…') {
      text += '__ELIDED__';
    } else {
      text += c;
    }
  }
  text = text
    .replace(/\{\s*__ELIDED__\s*\}/g, '{}')
    .replace(/,\s*__ELIDED__\s*(?=[}\]])/g, '')
    .replace(/\{\s*__ELIDED__\s*,/g, '{')
    .replace(/__ELIDED__/g, 'null');
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const position = /position (\d+)/.exec(error.message);
    // Positions shift with the elisions; the line of the first one is close.
    const line = position
      ? text.slice(0, Number(position[1])).split('\n').length - 1
      : 0;
    return { line, message: error.message };
  }
}

/**
 * Where a doc section installs Stagecraft both from the registry and from
 * tarballs, both install the same packages into each workspace (the tarball
 * install adds only Stagecraft dependencies of those, which the registry
 * brings by itself); npm and yarn variants install the same; and every
 * tarball's Stagecraft dependencies are among the tarballs of its command or
 * of an earlier tarball install into that workspace in the same doc.
 */
function installProblems(installs, workspace) {
  const problems = [];
  const stagecraft = names => names.filter(n => workspace.byName.has(n));
  const sections = new Map();
  for (const install of installs) {
    const key = `${install.doc}\0${install.section}`;
    if (!sections.has(key)) sections.set(key, []);
    sections.get(key).push(install);
  }
  for (const list of sections.values()) {
    const byWorkspace = new Map();
    for (const install of list) {
      const w = install.workspace ?? '(root)';
      if (!byWorkspace.has(w))
        byWorkspace.set(w, {
          npm: new Set(),
          yarn: new Set(),
          tarball: new Set(),
          first: install,
        });
      const sets = byWorkspace.get(w);
      const target =
        install.kind === 'tarball' ? sets.tarball : sets[install.tool];
      for (const name of stagecraft(install.packages)) target.add(name);
    }
    for (const [w, sets] of byWorkspace) {
      const { doc, line } = sets.first;
      const list = set => [...set].sort().join(', ') || 'nothing';
      if (
        sets.npm.size &&
        sets.yarn.size &&
        list(sets.npm) !== list(sets.yarn)
      ) {
        problems.push({
          doc,
          line,
          message: `npm installs ${list(sets.npm)} into ${w}, yarn ${list(
            sets.yarn,
          )}`,
        });
      }
      const registry = sets.npm.size ? sets.npm : sets.yarn;
      if (!registry.size || !sets.tarball.size) continue;
      const missing = [...registry].filter(n => !sets.tarball.has(n));
      const deps = new Set(
        [...registry].flatMap(n => [...workspace.internalDependencies(n)]),
      );
      const extra = [...sets.tarball].filter(
        n => !registry.has(n) && !deps.has(n),
      );
      if (missing.length) {
        problems.push({
          doc,
          line,
          message: `the tarball install into ${w} lacks ${missing.join(
            ', ',
          )}, which the registry install of the same section installs`,
        });
      }
      if (extra.length) {
        problems.push({
          doc,
          line,
          message: `the tarball install into ${w} adds ${extra.join(
            ', ',
          )}, which the registry install of the same section neither installs nor depends on`,
        });
      }
    }
  }
  const installed = new Map();
  for (const install of installs) {
    if (install.kind !== 'tarball') continue;
    const key = `${install.doc}\0${install.workspace}`;
    const before = installed.get(key) ?? new Set();
    const now = new Set([...before, ...install.packages]);
    for (const name of install.packages) {
      const lacking = [...workspace.internalDependencies(name)].filter(
        dep => !now.has(dep),
      );
      if (lacking.length) {
        problems.push({
          doc: install.doc,
          line: install.line,
          message: `${name} depends on ${lacking.join(
            ', ',
          )}, which no tarball of this or an earlier install into ${
            install.workspace
          } brings (npm would look for it in the registry)`,
        });
      }
    }
    installed.set(key, now);
  }
  return problems;
}

async function main() {
  const root = resolve(import.meta.dirname, '../..');
  const args = process.argv.slice(2);
  const files = args.length
    ? args.map(f => relative(root, resolve(f)))
    : docFiles(root);
  const started = Date.now();
  const { problems, counts } = await checkDocs({ root, files });
  const blocks = Object.values(counts).reduce((a, b) => a + b, 0);
  for (const p of problems) console.log(`${p.doc}:${p.line}: ${p.message}`);
  console.log(
    `doc snippets: ${blocks} blocks in ${files.length} files (${Object.entries(
      counts,
    )
      .sort()
      .map(([what, n]) => `${n} ${what}`)
      .join('; ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (problems.length) {
    console.log(`${problems.length} problem(s); markers and rules: ${GUIDE}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
