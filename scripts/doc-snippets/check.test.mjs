// The check's own behaviour: bad snippets fail with the file, the line and
// the problem; good ones pass. Each test writes a markdown file of its own
// and checks it against this repository's packages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkDocs, docFiles, jsonProblem } from './check.mjs';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'doc-snippets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const fence = '```';

/** Writes `lines` as a markdown file and checks it; problems as 'line: message'. */
async function check(name, lines) {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n'));
  const { problems, counts } = await checkDocs({ root, files: [file] });
  for (const p of problems) assert.equal(p.doc, file);
  return { problems: problems.map(p => `${p.line}: ${p.message}`), counts };
}

/** Line (1-based) of the first line of `lines` that includes `text`. */
function lineOf(lines, text, from = 0) {
  const index = lines.findIndex((l, i) => i >= from && l.includes(text));
  assert.ok(index >= 0, `no line with ${text}`);
  return index + 1;
}

function assertProblem(problems, line, pattern) {
  assert.ok(
    problems.some(p => p.startsWith(`${line}: `) && pattern.test(p)),
    `expected a problem at line ${line} matching ${pattern}, got:\n${problems.join(
      '\n',
    )}`,
  );
}

describe('code blocks and languages', () => {
  it('fails a block without a language and one in an unknown language, and leaves prose alone', async () => {
    const lines = [
      '# Doc',
      fence,
      'POST /api/deployments/events',
      fence,
      `${fence}groovy`,
      'pipeline { }',
      fence,
      `${fence}cobol`,
      'DISPLAY "HI".',
      fence,
      `${fence}http`,
      'GET /health',
      fence,
    ];
    const { problems, counts } = await check('languages.md', lines);
    assertProblem(problems, 2, /code block without a language: name one/);
    assertProblem(problems, 8, /in 'cobol', which the check does not know/);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.equal(counts['prose (http)'], 1);
    assert.equal(counts['prose (groovy)'], 1);
  });

  it('fails a fence that never closes and an unknown marker', async () => {
    const lines = [
      '<!-- snippet: maybe -->',
      `${fence}json`,
      '{}',
      fence,
      `${fence}sh`,
      'echo',
    ];
    const { problems } = await check('fences.md', lines);
    assertProblem(problems, 1, /unknown snippet marker 'maybe'/);
    assertProblem(problems, 5, /never closed/);
  });
});

describe('json', () => {
  it('parses, with … standing for elided values only outside strings', () => {
    assert.equal(
      jsonProblem('{ "a": [ … ], "b": { … }, "c": "…", "d": 1, … }'),
      undefined,
    );
    assert.match(
      jsonProblem('{\n  "a": 1,\n  "b": \n}').message,
      /JSON|Unexpected/,
    );
    assert.equal(jsonProblem('{\n  "a": 1,\n  "b" 2\n}').line, 2);
  });
});

describe('typescript', () => {
  it('type-checks complete snippets and fragments against the workspace packages', async () => {
    const lines = [
      '# TS',
      `${fence}ts`,
      "import { deploymentsPermissions } from '@stagecraft/plugin-deployments-common';",
      'const names: string[] = deploymentsPermissions.map(p => p.name);',
      fence,
      `${fence}ts`,
      "import { deploymentsPromotePermision } from '@stagecraft/plugin-deployments-common';",
      fence,
      `${fence}ts`,
      "const count: number = 'three';",
      fence,
      '<!-- snippet: fragment of packages/backend/src/index.ts -->',
      `${fence}ts`,
      "backend.add(import('@stagecraft/plugin-deployments-backend'));",
      "backend.add(import('./permissionPolicy'));",
      fence,
      '<!-- snippet: fragment of packages/backend/src/index.ts -->',
      `${fence}ts`,
      'backend.plug(42);',
      fence,
      '<!-- snippet: fragment of packages/app/src/components/catalog/EntityPage.tsx -->',
      `${fence}tsx`,
      "import { EntityDeploymentsContent, isDeploymentsAvailable } from '@stagecraft/plugin-deployments';",
      fence,
      '<!-- snippet: fragment of packages/app/src/components/catalog/EntityPage.tsx -->',
      `${fence}tsx`,
      '<EntityLayout.Route path="/deployments" title="Deployments" if={isDeploymentsAvailable}>',
      '  <EntityDeploymentsContent />',
      '</EntityLayout.Route>',
      fence,
      '<!-- snippet: fragment of packages/app/src/components/catalog/EntityPage.tsx -->',
      `${fence}tsx`,
      '<EntitySwitch><EntityDeploymentsCard /></EntitySwitch>',
      fence,
      '<!-- snippet: fragment of handle() of the example policy -->',
      `${fence}ts`,
      "import { deploymentsApprovePermission } from '@stagecraft/plugin-deployments-common';",
      '',
      'if (isPermission(request.permission, deploymentsApprovePermission)) {',
      '  return { result: AuthorizeResult.DENY };',
      '}',
      fence,
      '<!-- snippet: fragment of handle() of the example policy -->',
      `${fence}ts`,
      'if (isPermission(request.permission, deploymentsAbortPermission)) {',
      '  return { result: AuthorizeResult.DENY };',
      '}',
      fence,
      '<!-- snippet: fragment of the moon -->',
      `${fence}ts`,
      'export {};',
      fence,
    ];
    const { problems } = await check('typescript.md', lines);
    assertProblem(
      problems,
      lineOf(lines, 'deploymentsPromotePermision'),
      /TS2724: .*no exported member named 'deploymentsPromotePermision'/,
    );
    assertProblem(
      problems,
      lineOf(lines, "'three'"),
      /TS2322: Type 'string' is not assignable to type 'number'/,
    );
    assertProblem(
      problems,
      lineOf(lines, 'backend.plug'),
      /TS2339: Property 'plug' does not exist/,
    );
    // The card is not imported by the block before: the fragments are one file.
    assertProblem(
      problems,
      lineOf(lines, '<EntityDeploymentsCard />'),
      /TS2304: Cannot find name 'EntityDeploymentsCard'/,
    );
    // The approval variant imports its permission; this one forgot to.
    assertProblem(
      problems,
      lineOf(lines, 'deploymentsAbortPermission'),
      /Cannot find name 'deploymentsAbortPermission'/,
    );
    assertProblem(
      problems,
      lineOf(lines, 'the moon'),
      /unknown fragment context 'the moon'; known: 'packages\/backend/,
    );
    assert.equal(problems.length, 6, problems.join('\n'));
  });
});

describe('yaml', () => {
  it('validates app-config against the config schemas, refusing undeclared keys', async () => {
    const lines = [
      `${fence}yaml`,
      'deployments:',
      '  promotionPath: [dev, production]',
      '  github:',
      '    webhookSecret: ${GITHUB_WEBHOOK_SECRET}',
      '  aws:',
      '    maxAttempts: 3',
      'integrations:',
      '  github:',
      '    - host: github.com',
      '      token: ${GITHUB_TOKEN}',
      fence,
      `${fence}yaml`,
      'deployments:',
      '  promotionPaths: [dev, production]',
      fence,
      `${fence}yaml`,
      'deployments:',
      '  aws:',
      '    maxAttempts: many',
      fence,
    ];
    const { problems, counts } = await check('config.md', lines);
    assertProblem(
      problems,
      lineOf(lines, 'promotionPaths'),
      /must NOT have additional properties.*promotionPaths.* at \/deployments$/,
    );
    assertProblem(
      problems,
      lineOf(lines, 'maxAttempts: many'),
      /must be number .* at \/deployments\/aws\/maxAttempts/,
    );
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.equal(counts['yaml, validated as app-config'], 3);
  });

  it("runs the backend's own readers of keys a schema cannot judge", async () => {
    const lines = [
      `${fence}yaml`,
      'deployments:',
      '  promotionPath: [dev, dev]',
      '  freezes:',
      '    - name: weekend',
      '      rrule: FREQ=WEEKLY;BYDAY=FR',
      '      duration: { days: 2 }',
      '      timeZone: Europe/Berlinn',
      '      reason: Weekend freeze',
      fence,
      `${fence}yaml`,
      'deployments:',
      '  freezes:',
      '    - name: weekend',
      '      rrule: FREQ=WEEKLY;BYDAY=FR',
      '      duration: { days: 2 }',
      '      timeZone: Europe/Berlin',
      '      reason: Weekend freeze',
      fence,
    ];
    const { problems } = await check('readers.md', lines);
    assertProblem(
      problems,
      lineOf(lines, 'promotionPath'),
      /deployments.promotionPath: .*names 'dev' twice/,
    );
    assertProblem(
      problems,
      lineOf(lines, 'freezes'),
      /deployments.freezes: .*Europe\/Berlinn/,
    );
    assert.equal(problems.length, 2, problems.join('\n'));
  });

  it("reads entities' annotations with the packages' parsers", async () => {
    const lines = [
      `${fence}yaml`,
      'apiVersion: backstage.io/v1alpha1',
      'kind: Component',
      'metadata:',
      '  name: payments-api',
      '  annotations:',
      '    github.com/project-slug: acme/payments-api',
      '    stagecraft.io/environments: dev=github,production=aws',
      'spec:',
      '  type: service',
      '  lifecycle: production',
      '  owner: guests',
      fence,
      `${fence}yaml`,
      'metadata:',
      '  annotations:',
      '    github.com/project-slug: not a slug',
      '    stagecraft.io/promotion-path: dev,,production',
      '    stagecraft.io/aws-account-id: "12345"',
      '    stagecraft.io/github-enviroments: production=prod',
      '---',
      'metadata:',
      '  annotations:',
      '    aws.amazon.com/aws-codepipeline-arn: arn:aws:codepipeline:eu-west-1:111111111111:payments',
      '    stagecraft.io/aws-stacks: dev=svc-dev,production',
      '    stagecraft.io/freeze: \'{"name": "launch"}\'',
      fence,
      `${fence}yaml`,
      'apiVersion: backstage.io/v1alpha1',
      'kind: Component',
      'metadata:',
      '  name: no-deployments',
      'spec: { type: service, lifecycle: production, owner: guests }',
      fence,
    ];
    const { problems } = await check('entities.md', lines);
    assertProblem(problems, 17, /github.com\/project-slug: not owner\/repo/);
    assertProblem(
      problems,
      18,
      /promotion-path: .*invalid environment name ''/,
    );
    assertProblem(problems, 19, /aws-account-id: .*not a 12-digit account id/);
    assertProblem(
      problems,
      20,
      /stagecraft.io\/github-enviroments: no Stagecraft package's source names it/,
    );
    assertProblem(
      problems,
      25,
      /aws-stacks: 'production' in stagecraft.io\/aws-stacks is not environment=value/,
    );
    assertProblem(
      problems,
      lineOf(lines, 'stagecraft.io/freeze'),
      /annotation stagecraft.io\/freeze: component:default\/doc-snippet: stagecraft.io\/freeze\[0\]/,
    );
    // At the entity's `metadata:`, the line above its name.
    assertProblem(
      problems,
      lineOf(lines, 'name: no-deployments') - 1,
      /isDeploymentsAvailable is false/,
    );
    assert.equal(problems.length, 7, problems.join('\n'));
  });

  it('parses a parse-only block, CloudFormation tags included, and fails unknown tags elsewhere', async () => {
    const lines = [
      '<!-- snippet: parse-only — part of a SAM template -->',
      `${fence}yaml`,
      'Outputs:',
      '  GitSha:',
      '    Value: !Ref GitSha',
      fence,
      `${fence}yaml`,
      'deployments:',
      '  promotionPath: !Ref Path',
      fence,
      '<!-- snippet: parse-only -->',
      `${fence}yaml`,
      'a: 1',
      fence,
      '<!-- snippet: parse-only — broken -->',
      `${fence}yaml`,
      'a: [1',
      fence,
    ];
    const { problems } = await check('parse-only.md', lines);
    assertProblem(problems, 9, /Unresolved tag: !Ref/);
    assertProblem(problems, 11, /'parse-only' needs a reason/);
    assertProblem(problems, 17, /YAML: /);
    assert.equal(problems.length, 3, problems.join('\n'));
  });
});

describe('shell', () => {
  it('runs bash -n and checks npm scripts and installs against the workspace', async () => {
    const lines = [
      `${fence}sh`,
      'npm ci',
      'npm start',
      'npm run test:consumer',
      'npm run bench -w plugins/deployments-backend',
      'npm run bench -w plugins/deployments',
      'npm run tset',
      'npm install -w packages/app @stagecraft/plugin-deployments-backend',
      'npm install -w packages/backend @stagecraft/plugin-deployments-backend @stagecraft/plugin-deployments-nope',
      'npm install -w packages/backend @stagecraft/sandbox',
      'npm install -w packages/backend @backstage/plugin-permision-node',
      'npm install -w packages/backend "$PACKS"/stagecraft-plugin-deployments-*.tgz',
      fence,
      `${fence}sh`,
      'if then fi',
      fence,
    ];
    const { problems } = await check('shell.md', lines);
    assertProblem(
      problems,
      6,
      /`bench` is not a script of plugins\/deployments\/package.json/,
    );
    assertProblem(
      problems,
      7,
      /`tset` is not a script of the root package.json/,
    );
    assertProblem(
      problems,
      8,
      /@stagecraft\/plugin-deployments-backend is a backend-plugin: it does not belong in packages\/app/,
    );
    assertProblem(
      problems,
      9,
      /@stagecraft\/plugin-deployments-nope is not a package of this repository/,
    );
    assertProblem(problems, 10, /@stagecraft\/sandbox is not published/);
    assertProblem(
      problems,
      11,
      /@backstage\/plugin-permision-node is not a package this repository installs/,
    );
    assertProblem(problems, 12, /matches 6 packed packages/);
    assertProblem(problems, 15, /bash -n: syntax error/);
    assert.equal(problems.length, 8, problems.join('\n'));
  });

  it('compares registry and tarball installs of one section', async () => {
    const registry =
      'npm install -w packages/backend @stagecraft/plugin-deployments-backend @stagecraft/plugin-deployments-backend-module-github';
    const lines = [
      '## Install',
      `${fence}sh`,
      registry,
      'yarn --cwd packages/backend add @stagecraft/plugin-deployments-backend',
      fence,
      `${fence}sh`,
      // Lacks the GitHub module; the node library is a dependency, so it may come.
      'npm install -w packages/backend "$PACKS"/stagecraft-plugin-deployments-common-*.tgz "$PACKS"/stagecraft-plugin-deployments-node-*.tgz "$PACKS"/stagecraft-plugin-deployments-backend-[0-9]*.tgz',
      fence,
      '## Frontend',
      `${fence}sh`,
      'npm install -w packages/app @stagecraft/plugin-deployments',
      'npm install -w packages/app "$PACKS"/stagecraft-plugin-deployments-[0-9]*.tgz "$PACKS"/stagecraft-plugin-deployments-backend-module-aws-*.tgz',
      fence,
    ];
    const { problems } = await check('installs.md', lines);
    assertProblem(
      problems,
      3,
      /npm installs .*backend-module-github into packages\/backend, yarn @stagecraft\/plugin-deployments-backend$/,
    );
    assertProblem(
      problems,
      3,
      /the tarball install into packages\/backend lacks @stagecraft\/plugin-deployments-backend-module-github/,
    );
    assertProblem(
      problems,
      12,
      /module-aws is a backend-plugin-module: it does not belong in packages\/app/,
    );
    assertProblem(
      problems,
      11,
      /tarball install into packages\/app adds @stagecraft\/plugin-deployments-backend-module-aws/,
    );
    assertProblem(
      problems,
      12,
      /@stagecraft\/plugin-deployments depends on @stagecraft\/plugin-deployments-common, which no tarball/,
    );
    assert.equal(problems.length, 6, problems.join('\n'));
  });
});

describe("the repository's docs", () => {
  // In the same process as the tests above, so TypeScript parses the
  // packages once (the check caches parsed files).
  it('README.md and docs/**/*.md have no problem', async () => {
    const { problems } = await checkDocs({ root });
    if (problems.length) {
      assert.fail(
        `${
          problems.length
        } problem(s) in the docs' code blocks (node scripts/doc-snippets/check.mjs lists the same; markers: scripts/doc-snippets/README.md):\n${problems
          .map(p => `${p.doc}:${p.line}: ${p.message}`)
          .join('\n')}`,
      );
    }
  });
});
