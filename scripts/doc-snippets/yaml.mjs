// YAML blocks. Catalog entities (and `metadata:` fragments of them) are
// validated by the catalog model's policies and their annotations read by
// the packages' own annotation parsers; everything else is an app-config
// fragment, validated against the config schemas of the plugins (their
// config.d.ts) and of the Backstage packages they and the demo app use, with
// undeclared keys refused. A block marked `parse-only` is only parsed.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWorkspace } from './workspace.mjs';

const ENTITY_KEYS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'spec',
  'relations',
  'status',
]);

/** CloudFormation's short-form intrinsic functions, for parse-only templates. */
const CLOUDFORMATION_FUNCTIONS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Join',
  'If',
  'Select',
  'Split',
  'FindInMap',
  'Base64',
  'Cidr',
  'GetAZs',
  'ImportValue',
  'Equals',
  'And',
  'Or',
  'Not',
  'Condition',
];

const checkers = new Map();

/** Loads what the YAML checks need from the repository's install, once per process. */
export function createYamlChecker(root) {
  if (!checkers.has(root)) checkers.set(root, loadYamlChecker(root));
  return checkers.get(root);
}

async function loadYamlChecker(root) {
  const require = createRequire(join(root, 'package.json'));
  const YAML = require('yaml');
  const catalogModel = require('@backstage/catalog-model');
  const { ConfigReader } = require('@backstage/config');
  const { loadConfigSchema } = require('@backstage/config-loader');
  // The packages' annotation parsers are TypeScript: the CLI's transform reads them.
  require('@backstage/cli/config/nodeTransform.cjs');
  const load = path => require(join(root, path));
  const parsers = {
    frontend: load('plugins/deployments/src/annotations.ts'),
    github: load(
      'plugins/deployments-backend-module-github/src/annotations.ts',
    ),
    aws: load(
      'plugins/deployments-backend-module-aws/src/binding/annotations.ts',
    ),
    ownership: load(
      'plugins/deployments-backend/src/environments/ownership.ts',
    ),
    promotionPath: load(
      'plugins/deployments-backend/src/environments/promotionPath.ts',
    ),
    freeze: load(
      'plugins/deployments-backend/src/policy/freeze/FreezeWindows.ts',
    ),
  };

  /**
   * The backend's own readers of keys whose rules a schema cannot say
   * (they stop the backend at start-up, naming the key): [key, read].
   */
  const configReaders = [
    [
      'deployments.promotionPath',
      config =>
        parsers.promotionPath.promotionPathOf(
          { apiVersion: 'v1', kind: 'Component', metadata: { name: 'x' } },
          config,
        ),
    ],
    ['deployments.freezes', config => parsers.freeze.readFreezeWindows(config)],
  ];

  const schemaPromise = loadConfigSchema({
    // Stagecraft's packages and, through their dependencies, the Backstage
    // packages whose keys the docs set (integrations, aws, auth, permission,
    // backend). The demo app's packages would add the rest of a host app's
    // keys, at twice the time.
    dependencies: workspaceWithSchemas(root),
    noUndeclaredProperties: true,
  });

  const cloudFormationTags = CLOUDFORMATION_FUNCTIONS.flatMap(name =>
    [undefined, 'seq', 'map'].map(collection => ({
      tag: `!${name}`,
      ...(collection ? { collection } : {}),
      resolve: value => ({ [`Fn::${name}`]: value }),
    })),
  );

  const policies = catalogModel.EntityPolicies.allOf([
    new catalogModel.DefaultNamespaceEntityPolicy(),
    new catalogModel.NoForeignRootFieldsEntityPolicy(),
    new catalogModel.FieldFormatEntityPolicy(),
    new catalogModel.SchemaValidEntityPolicy(),
  ]);
  const kindValidators = [
    catalogModel.componentEntityV1alpha1Validator,
    catalogModel.apiEntityV1alpha1Validator,
    catalogModel.resourceEntityV1alpha1Validator,
    catalogModel.systemEntityV1alpha1Validator,
    catalogModel.domainEntityV1alpha1Validator,
    catalogModel.groupEntityV1alpha1Validator,
    catalogModel.userEntityV1alpha1Validator,
    catalogModel.locationEntityV1alpha1Validator,
  ];

  /**
   * Problems of one block ({ line: 0-based in the block, message }) and what
   * it was checked as.
   */
  async function check(code, { parseOnly }) {
    const lineCounter = new YAML.LineCounter();
    const docs = YAML.parseAllDocuments(code, {
      lineCounter,
      prettyErrors: false,
      ...(parseOnly ? { customTags: cloudFormationTags } : {}),
    });
    const lineOf = offset => lineCounter.linePos(offset).line - 1;
    const problems = [];
    for (const doc of docs) {
      for (const error of [...doc.errors, ...doc.warnings]) {
        problems.push({
          line: lineOf(error.pos[0]),
          message: `YAML: ${error.message.split('\n')[0]}`,
        });
      }
    }
    if (problems.length || parseOnly) {
      return { problems, checkedAs: 'parsed' };
    }
    const values = docs.map(doc => doc.toJS());
    const entityShaped = values.every(
      v =>
        isObject(v) &&
        'metadata' in v &&
        Object.keys(v).every(k => ENTITY_KEYS.has(k)),
    );
    if (entityShaped) {
      docs.forEach((doc, i) =>
        problems.push(...checkEntity(values[i], doc, lineOf)),
      );
      return { problems, checkedAs: 'catalog entity' };
    }
    const schema = await schemaPromise;
    docs.forEach((doc, i) =>
      problems.push(...checkAppConfig(values[i], doc, lineOf, schema)),
    );
    return { problems, checkedAs: 'app-config' };
  }

  function checkAppConfig(value, doc, lineOf, schema) {
    if (!isObject(value)) {
      return [{ line: 0, message: 'an app-config block must be a mapping' }];
    }
    const base = {
      app: { baseUrl: 'http://localhost:3000' },
      backend: {
        baseUrl: 'http://localhost:7007',
        database: { client: 'better-sqlite3', connection: ':memory:' },
      },
    };
    try {
      schema.process([
        { context: 'base', data: base },
        { context: 'docs', data: value },
      ]);
    } catch (error) {
      return schemaErrors(error.message).map(({ message, path }) => ({
        line: lineOfPath(
          doc,
          [
            ...fromPointer(path),
            // An undeclared key: its own line.
            ...(/additionalProperty=(\S+?) ?}/.exec(message)?.slice(1) ?? []),
          ],
          lineOf,
        ),
        message: `app-config: ${message}${path ? ` at ${path}` : ''}${
          !path && /additional properties/.test(message)
            ? ' (not app-config? mark the block <!-- snippet: parse-only — what it is -->)'
            : ''
        }`,
      }));
    }
    const config = new ConfigReader(value);
    const problems = [];
    for (const [key, read] of configReaders) {
      if (!config.has(key)) continue;
      try {
        read(config);
      } catch (error) {
        problems.push({
          line: lineOfPath(doc, key.split('.'), lineOf),
          message: `${key}: ${error.message}`,
        });
      }
    }
    return problems;
  }

  function checkEntity(value, doc, lineOf) {
    const problems = [];
    const full = 'apiVersion' in value || 'kind' in value;
    // A `metadata:` fragment is checked as the annotations of a component.
    const entity = full
      ? value
      : {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          ...value,
          metadata: { name: 'doc-snippet', ...value.metadata },
          spec: {
            type: 'service',
            lifecycle: 'production',
            owner: 'team',
            ...value.spec,
          },
        };
    const report = (path, message) =>
      problems.push({ line: lineOfPath(doc, path, lineOf), message });
    const annotationsPath = ['metadata', 'annotations'];
    try {
      policies.enforce(entity);
      const known = kindValidators.some(v => v.check(entity));
      if (!known && full) {
        report(
          ['kind'],
          `catalog: ${entity.apiVersion} ${entity.kind} is not a kind the catalog knows`,
        );
      }
    } catch (error) {
      report([], `catalog: ${error.message}`);
    }
    const annotations = entity.metadata?.annotations ?? {};
    for (const [key, message] of annotationProblems(entity, annotations)) {
      report([...annotationsPath, key], `annotation ${key}: ${message}`);
    }
    if (!parsers.frontend.isDeploymentsAvailable(entity)) {
      report(
        ['metadata'],
        'no annotation that shows the Deployments tab (isDeploymentsAvailable is false)',
      );
    }
    return problems;
  }

  const knownAnnotations = stagecraftAnnotationsInSource(root);

  /** [annotation, problem] pairs, read with the packages' own parsers. */
  function annotationProblems(entity, annotations) {
    const problems = [];
    const { github, aws, ownership, promotionPath } = parsers;
    for (const key of Object.keys(annotations)) {
      if (
        key.startsWith(parsers.frontend.STAGECRAFT_ANNOTATION_PREFIX) &&
        !knownAnnotations.has(key)
      ) {
        problems.push([
          key,
          `no Stagecraft package's source names it (known: ${[
            ...knownAnnotations,
          ]
            .sort()
            .join(', ')})`,
        ]);
      }
    }
    const has = key => key in annotations;
    if (
      has(github.GITHUB_PROJECT_SLUG_ANNOTATION) &&
      !github.readGithubRepository(entity)
    ) {
      problems.push([
        github.GITHUB_PROJECT_SLUG_ANNOTATION,
        'not owner/repo (the GitHub provider ignores it)',
      ]);
    }
    const environments = annotations[github.GITHUB_ENVIRONMENTS_ANNOTATION];
    if (environments !== undefined) {
      const pairs = environments.split(',').filter(p => p.trim()).length;
      const read =
        github.EnvironmentNames.parse(environments).stagecraftNames().length;
      if (read !== pairs) {
        problems.push([
          github.GITHUB_ENVIRONMENTS_ANNOTATION,
          `${
            pairs - read
          } of ${pairs} pairs are not stagecraft=github (the provider ignores them)`,
        ]);
      }
    }
    const scope = annotations[github.GITHUB_ENVIRONMENT_SCOPE_ANNOTATION];
    // GithubDeploymentProvider.targetsOf: `mapped` limits, anything else is all.
    if (scope !== undefined && !['all', 'mapped'].includes(scope.trim())) {
      problems.push([
        github.GITHUB_ENVIRONMENT_SCOPE_ANNOTATION,
        `'${scope}' is neither all nor mapped`,
      ]);
    }
    if (has(promotionPath.PROMOTION_PATH_ANNOTATION)) {
      try {
        promotionPath.promotionPathOf(entity, new ConfigReader({}));
      } catch (error) {
        problems.push([promotionPath.PROMOTION_PATH_ANNOTATION, error.message]);
      }
    }
    const freeze = parsers.freeze.readEntityFreezeWindows(entity);
    if (freeze.problem) {
      problems.push([parsers.freeze.FREEZE_ANNOTATION, freeze.problem]);
    }
    for (const message of ownership.parseEnvironmentOwners(
      annotations[ownership.ENVIRONMENTS_ANNOTATION],
    ).problems) {
      problems.push([ownership.ENVIRONMENTS_ANNOTATION, message]);
    }
    if (has(aws.AWS_CODEPIPELINE_ARN_ANNOTATION)) {
      for (const message of aws.readPipelines(entity).problems) {
        problems.push([aws.AWS_CODEPIPELINE_ARN_ANNOTATION, message]);
      }
    }
    for (const message of aws.readStageMapping(entity).problems) {
      problems.push([aws.AWS_PIPELINE_STAGES_ANNOTATION, message]);
    }
    const stacks = aws.readStackAnnotation(entity, { region: 'us-east-1' });
    const location = aws.entityLocation(entity, { region: 'us-east-1' });
    for (const message of new Set([...stacks.problems, ...location.problems])) {
      const key =
        [aws.AWS_ACCOUNT_ID_ANNOTATION, aws.AWS_REGION_ANNOTATION].find(k =>
          message.includes(k),
        ) ?? aws.AWS_STACKS_ANNOTATION;
      problems.push([key, message]);
    }
    return problems;
  }

  return { check };
}

/** Every 'stagecraft.io/…' string literal in the plugins' (non-test) sources. */
function stagecraftAnnotationsInSource(root) {
  const known = new Set();
  for (const plugin of readdirSync(join(root, 'plugins'))) {
    const src = join(root, 'plugins', plugin, 'src');
    if (!existsSync(src)) continue;
    for (const file of readdirSync(src, { recursive: true })) {
      if (!/\.tsx?$/.test(file) || /\.test\.tsx?$|__testUtils__/.test(file))
        continue;
      const text = readFileSync(join(src, file), 'utf8');
      for (const [, name] of text.matchAll(
        /['"`](stagecraft\.io\/[a-z0-9-]+)['"`]/g,
      )) {
        known.add(name);
      }
    }
  }
  return known;
}

/** The published workspace packages (those with a config.d.ts bring it). */
function workspaceWithSchemas(root) {
  return readWorkspace(root)
    .packages.filter(pkg => pkg.publishable)
    .map(pkg => pkg.name);
}

/** `Config validation failed, A { x } at /p; B at /q` → [{ message, path }]. */
export function schemaErrors(text) {
  const body = text.replace(/^Config validation failed,\s*/, '');
  return body.split(/;\s+(?=Config )/).map(part => {
    const at = / at (\/\S*|)\s*$/.exec(part);
    return {
      message: (at ? part.slice(0, at.index) : part)
        .replace(/^Config /, '')
        .trim(),
      path: at ? at[1] : '',
    };
  });
}

/** `/a/b~1c/0` → ['a', 'b/c', 0] */
function fromPointer(pointer) {
  return pointer
    .split('/')
    .slice(1)
    .map(k => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(k => (/^\d+$/.test(k) ? Number(k) : k));
}

/** The line of the node at a path of keys, or of its nearest existing parent. */
function lineOfPath(doc, keys, lineOf) {
  for (let n = keys.length; n > 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true);
    const pair = n > 0 ? findPair(doc, keys.slice(0, n)) : undefined;
    const range = pair?.key?.range ?? node?.range;
    if (range) return lineOf(range[0]);
  }
  return 0;
}

function findPair(doc, keys) {
  const parent =
    keys.length > 1 ? doc.getIn(keys.slice(0, -1), true) : doc.contents;
  const last = keys[keys.length - 1];
  return parent?.items?.find(item => item?.key?.value === last);
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
