// TypeScript blocks, type-checked against the workspace packages with the
// root tsconfig. Nothing is written to disk: each snippet is a virtual file
// of one program, placed where its imports resolve as in the real file. A
// complete snippet is a file of its own; a fragment (`<!-- snippet:
// fragment of CONTEXT -->`) is wrapped in its context's code, and the
// fragments of one file-context in one markdown file are joined in order,
// as the parts of that one file (the imports of one block, the JSX of the
// next).
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

/** The contexts a fragment can name, with the code around it. */
export const CONTEXTS = {
  'packages/backend/src/index.ts': {
    about:
      "statements of a create-app backend's index.ts, between `const backend = createBackend();` and `backend.start();`",
    file: 'packages/backend/src/index.ts',
    joined: true,
    prelude:
      "import { createBackend } from '@backstage/backend-defaults';\n\nconst backend = createBackend();\n",
    postlude: '\nbackend.start();\n',
  },
  'packages/app/src/components/catalog/EntityPage.tsx': {
    about:
      "imports and JSX of create-app's EntityPage.tsx, which already imports EntityLayout, EntitySwitch and Grid",
    file: 'packages/app/src/components/catalog/EntityPage.tsx',
    joined: true,
    prelude:
      "import { EntityLayout, EntitySwitch } from '@backstage/plugin-catalog';\nimport { Grid } from '@material-ui/core';\n",
    postlude: '',
  },
  'packages/app/src/App.tsx': {
    about:
      "imports and JSX of create-app's App.tsx, which already imports Route",
    file: 'packages/app/src/App.tsx',
    joined: true,
    prelude: "import { Route } from 'react-router-dom';\n",
    postlude: '',
  },
  'packages/app/src/components/Root/Root.tsx': {
    about:
      "imports and JSX of create-app's Root.tsx, which already imports SidebarItem",
    file: 'packages/app/src/components/Root/Root.tsx',
    joined: true,
    prelude: "import { SidebarItem } from '@backstage/core-components';\n",
    postlude: '',
  },
  'handle() of the example policy': {
    about:
      "statements in `handle(request, user)` of the example policy of docs/permissions.md, with its imports; the fragment's own imports go to the top of the file",
    file: 'packages/backend/src/permissionPolicy.ts',
    joined: false,
    prelude: [
      "import { AuthorizeResult, isPermission, isResourcePermission, PolicyDecision } from '@backstage/plugin-permission-common';",
      "import { PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';",
      "import { catalogConditions, createCatalogConditionalDecision } from '@backstage/plugin-catalog-backend/alpha';",
      "import { deploymentsPermissions } from '@stagecraft/plugin-deployments-common';",
      '',
      'export async function handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {',
      '',
    ].join('\n'),
    postlude: '\nreturn { result: AuthorizeResult.ALLOW };\n}\n',
    hoistImports: true,
    // The prelude's imports must be those of this block, where it is checked.
    mirrorsConsumerTest: 'permission-policy',
  },
  'a provider module': {
    about:
      'a backend module of a provider: the backend plugin API, the deployments-node package and a `GitlabDeploymentProvider` with `fromConfig(config)` in scope',
    file: 'plugins/deployments-backend-module-gitlab/src/module.ts',
    joined: false,
    prelude: [
      "import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';",
      "import { deploymentProvidersExtensionPoint, DeploymentProvider } from '@stagecraft/plugin-deployments-node';",
      "import type { Config } from '@backstage/config';",
      'declare const GitlabDeploymentProvider: { fromConfig(config: Config): DeploymentProvider };',
      '',
    ].join('\n'),
    postlude: '',
  },
  'a ProviderTarget': {
    about:
      'an expression of type ProviderTarget (@stagecraft/plugin-deployments-node)',
    file: 'plugins/deployments-backend-module-gitlab/src/targets.ts',
    joined: false,
    prelude:
      "import type { ProviderTarget } from '@stagecraft/plugin-deployments-node';\n\nexport const target: ProviderTarget = (\n",
    postlude: '\n);\n',
  },
};

/**
 * Modules a create-app app installs that this repository does not, typed as
 * what the docs use them for. Only what the consumer test checks for real.
 */
const HOST_APP_MODULES = `
declare module '@backstage/plugin-permission-backend-module-allow-all-policy' {
  const feature: import('@backstage/backend-plugin-api').BackendFeature;
  export default feature;
}
`;

const sourceFileCache = new Map();

/** "Cannot find name" and its "did you mean" variants. */
const UNDEFINED_NAME = new Set([2304, 2552, 18004]);

/**
 * Type-checks snippets ({ doc, line, lang, code, context }) in one program.
 * Returns problems ({ doc, line, message }), doc lines 1-based.
 */
export function checkTypeScript(root, snippets) {
  const require = createRequire(join(root, 'package.json'));
  const ts = require('typescript');
  const problems = [];
  const files = [];

  const groups = new Map();
  snippets.forEach((snippet, index) => {
    const context = snippet.context && CONTEXTS[snippet.context];
    const ext = snippet.lang === 'tsx' ? 'tsx' : 'ts';
    if (!context) {
      files.push(
        virtualFile(
          join(
            root,
            '.doc-snippets',
            `${slug(snippet.doc)}-L${snippet.line}.${ext}`,
          ),
          [{ text: snippet.code, snippet }],
        ),
      );
      return;
    }
    const fileExt = context.file.endsWith('.tsx') ? 'tsx' : ext;
    const dir = join(root, dirname(context.file));
    if (context.joined) {
      const key = `${snippet.doc}\0${snippet.context}`;
      if (!groups.has(key))
        groups.set(key, { context, dir, fileExt, snippet, pieces: [] });
      // `;` ends a JSX expression before the next fragment's.
      groups
        .get(key)
        .pieces.push({ text: `${snippet.code}\n`, snippet }, { text: ';\n' });
      return;
    }
    const { imports, body } = context.hoistImports
      ? splitImports(ts, snippet.code)
      : { imports: '', body: snippet.code };
    const pieces = [];
    if (imports) pieces.push({ text: `${imports}\n`, snippet, lineOffset: 0 });
    pieces.push({ text: context.prelude });
    pieces.push({
      text: body,
      snippet,
      lineOffset: imports ? imports.split('\n').length : 0,
    });
    pieces.push({ text: context.postlude });
    files.push(
      virtualFile(
        join(
          dir,
          `__doc-snippet__${slug(snippet.doc)}-L${
            snippet.line
          }-${index}.${fileExt}`,
        ),
        pieces,
      ),
    );
  });
  let n = 0;
  for (const { context, dir, fileExt, pieces } of groups.values()) {
    files.push(
      virtualFile(
        join(
          dir,
          `__doc-snippet__${slug(pieces[0].snippet.doc)}-${n++}.${fileExt}`,
        ),
        [{ text: context.prelude }, ...pieces, { text: context.postlude }],
      ),
    );
  }
  const ambient = join(root, '.doc-snippets', 'host-app-modules.d.ts');

  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: d => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  const options = {
    ...parsed.options,
    noEmit: true,
    incremental: false,
    composite: false,
    declaration: false,
    emitDeclarationOnly: false,
    tsBuildInfoFile: undefined,
    // A snippet may import what it shows and use only part of it.
    noUnusedLocals: false,
    noUnusedParameters: false,
    // Every snippet is a module of its own, even without import or export.
    moduleDetection: ts.ModuleDetectionKind.Force,
    // Top-level await, as in a script of the reader's.
    module: ts.ModuleKind.ES2022,
  };
  const virtual = new Map(files.map(f => [f.path, f.text]));
  virtual.set(ambient, HOST_APP_MODULES);
  const host = ts.createCompilerHost(options);
  // As tsc itself: JSDoc is parsed only where it can carry type errors.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const realGetSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (virtual.has(fileName)) {
      return ts.createSourceFile(
        fileName,
        virtual.get(fileName),
        languageVersion,
        true,
      );
    }
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    if (!sourceFileCache.has(key)) {
      sourceFileCache.set(
        key,
        realGetSourceFile(fileName, languageVersion, onError, shouldCreate),
      );
    }
    return sourceFileCache.get(key);
  };
  const realFileExists = host.fileExists.bind(host);
  host.fileExists = fileName =>
    virtual.has(fileName) || realFileExists(fileName);
  const realReadFile = host.readFile.bind(host);
  host.readFile = fileName => virtual.get(fileName) ?? realReadFile(fileName);

  const program = ts.createProgram({
    rootNames: [ambient, ...files.map(f => f.path)],
    options,
    host,
  });
  for (const file of files) {
    const sourceFile = program.getSourceFile(file.path);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ].filter(d => d.category === ts.DiagnosticCategory.Error);
    for (const diagnostic of diagnostics) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(
        diagnostic.start ?? 0,
      );
      const origin = file.origin(line);
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
      problems.push({
        doc: origin.snippet.doc,
        line: origin.line,
        message: `TS${diagnostic.code}: ${text}${
          origin.wrapper
            ? ` (in the code around the fragment, context '${origin.snippet.context}')`
            : ''
        }${
          !origin.snippet.context && UNDEFINED_NAME.has(diagnostic.code)
            ? ' (part of a larger file? mark the block <!-- snippet: fragment of CONTEXT -->, see scripts/doc-snippets/README.md)'
            : ''
        }`,
      });
    }
  }
  return problems;
}

/** Joins pieces into one file and maps each of its lines back to a doc line. */
function virtualFile(path, pieces) {
  let text = '';
  const lines = [];
  for (const piece of pieces) {
    const pieceText = piece.text.endsWith('\n')
      ? piece.text
      : `${piece.text}\n`;
    text += pieceText;
    const count = pieceText.split('\n').length - 1;
    for (let i = 0; i < count; i++) {
      lines.push(
        piece.snippet && {
          snippet: piece.snippet,
          line: piece.snippet.line + (piece.lineOffset ?? 0) + i,
        },
      );
    }
  }
  const first = pieces.find(p => p.snippet).snippet;
  return {
    path,
    text,
    origin: line =>
      lines[line] || { snippet: first, line: first.line, wrapper: true },
  };
}

/** Leading import declarations of a fragment, and the rest. */
function splitImports(ts, code) {
  const source = ts.createSourceFile(
    'fragment.ts',
    code,
    ts.ScriptTarget.Latest,
    true,
  );
  let end = 0;
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) break;
    end = statement.end;
  }
  if (end === 0) return { imports: '', body: code };
  const cut = code.indexOf('\n', end);
  const at = cut < 0 ? code.length : cut;
  return { imports: code.slice(0, at), body: code.slice(at + 1) };
}

function slug(path) {
  return relative('.', path).replace(/[^A-Za-z0-9]+/g, '-');
}
