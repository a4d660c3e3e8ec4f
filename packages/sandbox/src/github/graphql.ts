import express, { Router } from 'express';
import {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
  buildSchema,
  execute,
  parse,
  validate,
} from 'graphql';
import {
  CommitRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  EnvironmentRecord,
  RepositoryRecord,
  fullName,
} from '../world/model';
import { ORGANISATION, person } from '../world/people';
import { Pipeline } from '../world/Pipeline';
import { World, latestState } from '../world/World';
import {
  RateLimiter,
  identityFromAuthorization,
  sendError,
  setRateLimitHeaders,
} from './http';
import { Addresses, isoTime } from './representations';

/**
 * The subset of GitHub's GraphQL schema the sandbox answers, with GitHub's own
 * type, field, argument and enum names, so a query written against
 * api.github.com/graphql runs here unchanged (within the subset).
 */
export const GITHUB_GRAPHQL_SDL = /* GraphQL */ `
  scalar DateTime
  scalar URI
  scalar GitObjectID

  interface Node {
    id: ID!
  }

  interface Actor {
    avatarUrl(size: Int): URI!
    login: String!
    resourcePath: URI!
    url: URI!
  }

  interface RepositoryOwner {
    id: ID!
    login: String!
    url: URI!
  }

  type User implements Actor & Node {
    id: ID!
    databaseId: Int
    login: String!
    name: String
    avatarUrl(size: Int): URI!
    resourcePath: URI!
    url: URI!
  }

  type Bot implements Actor & Node {
    id: ID!
    databaseId: Int
    login: String!
    avatarUrl(size: Int): URI!
    resourcePath: URI!
    url: URI!
  }

  type Organization implements RepositoryOwner & Node {
    id: ID!
    databaseId: Int
    login: String!
    name: String
    url: URI!
  }

  type RateLimit {
    cost: Int!
    limit: Int!
    nodeCount: Int!
    remaining: Int!
    resetAt: DateTime!
    used: Int!
  }

  type PageInfo {
    endCursor: String
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
  }

  enum OrderDirection {
    ASC
    DESC
  }
  enum DeploymentOrderField {
    CREATED_AT
  }
  input DeploymentOrder {
    field: DeploymentOrderField!
    direction: OrderDirection!
  }

  enum DeploymentState {
    ABANDONED
    ACTIVE
    DESTROYED
    ERROR
    FAILURE
    INACTIVE
    PENDING
    QUEUED
    IN_PROGRESS
    WAITING
    SUCCESS
  }
  enum DeploymentStatusState {
    PENDING
    SUCCESS
    FAILURE
    INACTIVE
    ERROR
    QUEUED
    IN_PROGRESS
    WAITING
  }
  enum DeploymentProtectionRuleType {
    REQUIRED_REVIEWERS
    WAIT_TIMER
    BRANCH_POLICY
  }

  interface GitObject {
    id: ID!
    oid: GitObjectID!
    abbreviatedOid: String!
    url: URI!
  }

  type Commit implements GitObject & Node {
    id: ID!
    oid: GitObjectID!
    abbreviatedOid: String!
    message: String!
    messageHeadline: String!
    committedDate: DateTime!
    authoredDate: DateTime!
    url: URI!
  }

  type Ref implements Node {
    id: ID!
    name: String!
    prefix: String!
    target: GitObject
  }

  type DeploymentStatus implements Node {
    id: ID!
    createdAt: DateTime!
    creator: Actor!
    deployment: Deployment!
    description: String
    environment: String
    environmentUrl: URI
    logUrl: URI
    state: DeploymentStatusState!
    updatedAt: DateTime!
  }

  type DeploymentStatusEdge {
    cursor: String!
    node: DeploymentStatus
  }
  type DeploymentStatusConnection {
    edges: [DeploymentStatusEdge]
    nodes: [DeploymentStatus]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type Deployment implements Node {
    id: ID!
    databaseId: Int
    commit: Commit
    commitOid: String!
    createdAt: DateTime!
    creator: Actor!
    description: String
    environment: String
    latestEnvironment: String
    latestStatus: DeploymentStatus
    originalEnvironment: String
    payload: String
    ref: Ref
    repository: Repository!
    state: DeploymentState
    statuses(
      after: String
      before: String
      first: Int
      last: Int
    ): DeploymentStatusConnection
    task: String
    updatedAt: DateTime!
  }

  type DeploymentEdge {
    cursor: String!
    node: Deployment
  }
  type DeploymentConnection {
    edges: [DeploymentEdge]
    nodes: [Deployment]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type DeploymentProtectionRule {
    databaseId: Int
    preventSelfReview: Boolean
    timeout: Int!
    type: DeploymentProtectionRuleType!
  }
  type DeploymentProtectionRuleEdge {
    cursor: String!
    node: DeploymentProtectionRule
  }
  type DeploymentProtectionRuleConnection {
    edges: [DeploymentProtectionRuleEdge]
    nodes: [DeploymentProtectionRule]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type Environment implements Node {
    id: ID!
    databaseId: Int
    name: String!
    latestCompletedDeployment: Deployment
    protectionRules(
      after: String
      before: String
      first: Int
      last: Int
    ): DeploymentProtectionRuleConnection!
  }
  type EnvironmentEdge {
    cursor: String!
    node: Environment
  }
  type EnvironmentConnection {
    edges: [EnvironmentEdge]
    nodes: [Environment]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type Repository implements Node {
    id: ID!
    databaseId: Int
    name: String!
    nameWithOwner: String!
    owner: RepositoryOwner!
    url: URI!
    deployments(
      environments: [String!]
      orderBy: DeploymentOrder = { field: CREATED_AT, direction: ASC }
      after: String
      before: String
      first: Int
      last: Int
    ): DeploymentConnection!
    environment(name: String!): Environment
    environments(
      names: [String!] = []
      after: String
      before: String
      first: Int
      last: Int
    ): EnvironmentConnection!
  }

  type Query {
    repository(
      owner: String!
      name: String!
      followRenames: Boolean = true
    ): Repository
    rateLimit(dryRun: Boolean = false): RateLimit
    viewer: User!
  }
`;

const schema = buildSchema(GITHUB_GRAPHQL_SDL);

/** An error GitHub reports with a `type` beside the message. */
class GithubGraphqlError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

function isMissing(
  value: number | null | undefined,
): value is null | undefined {
  return value === null || value === undefined;
}

function encodeCursor(index: number) {
  return Buffer.from(`cursor:v2:${index}`).toString('base64');
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(
    Buffer.from(cursor, 'base64').toString(),
  );
  if (!match)
    throw new GithubGraphqlError(
      'INVALID_CURSOR_ARGUMENTS',
      `\`${cursor}\` does not appear to be a valid cursor.`,
    );
  return Number(match[1]);
}

/** GitHub's cursor pagination with its limits: `first` or `last` required, at most 100. */
function connection<T, N>(
  items: T[],
  args: PageArgs,
  name: string,
  toNode: (item: T) => N,
) {
  if (isMissing(args.first) && isMissing(args.last))
    throw new GithubGraphqlError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
    );
  for (const key of ['first', 'last'] as const) {
    const value = args[key];
    if (!isMissing(value) && (value < 0 || value > 100))
      throw new GithubGraphqlError(
        'EXCESSIVE_PAGINATION',
        `Requesting ${value} records on the \`${name}\` connection exceeds the \`${key}\` limit of 100 records.`,
      );
  }
  let start = args.after ? decodeCursor(args.after) + 1 : 0;
  let end = args.before ? decodeCursor(args.before) : items.length;
  if (!isMissing(args.first)) end = Math.min(end, start + args.first);
  if (!isMissing(args.last)) start = Math.max(start, end - args.last);
  const slice = items.slice(start, end).map((item, i) => ({
    cursor: encodeCursor(start + i),
    node: toNode(item),
  }));
  return {
    edges: slice,
    nodes: slice.map(e => e.node),
    totalCount: items.length,
    pageInfo: {
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice[slice.length - 1]?.cursor ?? null,
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
    },
  };
}

function globalId(type: string, id: number | string) {
  return Buffer.from(`04:${type}${id}`).toString('base64').replace(/=+$/, '');
}

interface GraphqlOptions {
  world: World;
  pipeline: Pipeline;
  addresses: Addresses;
  limiter: RateLimiter;
}

/** Resolvers: plain objects whose fields are values or functions of the field's arguments. */
class GithubGraph {
  private readonly world: World;
  private readonly pipeline: Pipeline;
  private readonly addresses: Addresses;

  constructor(
    options: GraphqlOptions,
    private readonly identity: string,
    private readonly rateLimit: () => object,
  ) {
    this.world = options.world;
    this.pipeline = options.pipeline;
    this.addresses = options.addresses;
  }

  private web(path: string) {
    return `${this.addresses.web()}${path}`;
  }

  private actor(login: string) {
    const account = person(login);
    return {
      __typename: account.type === 'Bot' ? 'Bot' : 'User',
      id: globalId(account.type, account.id),
      databaseId: account.id,
      login:
        account.type === 'Bot'
          ? account.login.replace(/\[bot\]$/, '')
          : account.login,
      name: account.name,
      avatarUrl: () =>
        `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
      resourcePath: `/${account.login}`,
      url: this.web(`/${account.login}`),
    };
  }

  private commit(repo: RepositoryRecord, record: CommitRecord) {
    return {
      __typename: 'Commit',
      id: globalId('Commit', record.sha),
      oid: record.sha,
      abbreviatedOid: record.sha.slice(0, 7),
      message: record.message,
      messageHeadline: record.message.split('\n')[0],
      committedDate: isoTime(record.date),
      authoredDate: isoTime(record.date),
      url: this.web(`/${fullName(repo)}/commit/${record.sha}`),
    };
  }

  private deploymentState(repo: RepositoryRecord, record: DeploymentRecord) {
    const state = latestState(record);
    if (!state) {
      const run = record.runId
        ? this.world.findRun(repo, record.runId)
        : undefined;
      return run && this.pipeline.pendingGate(run)?.deploymentId === record.id
        ? 'WAITING'
        : 'PENDING';
    }
    if (state === 'success') return 'ACTIVE';
    if (state === 'inactive')
      return record.transient ? 'DESTROYED' : 'INACTIVE';
    return state.toUpperCase();
  }

  private status(
    repo: RepositoryRecord,
    deployment: DeploymentRecord,
    record: DeploymentStatusRecord,
  ): object {
    return {
      id: globalId('DeploymentStatus', record.id),
      createdAt: isoTime(record.createdAt),
      updatedAt: isoTime(record.createdAt),
      creator: () => this.actor(record.creator),
      deployment: () => this.deploymentNode(repo, deployment),
      description: record.description,
      environment: deployment.environment,
      environmentUrl: record.environmentUrl || null,
      logUrl: record.logUrl ? this.web(record.logUrl) : null,
      state: record.state.toUpperCase(),
    };
  }

  private ref(repo: RepositoryRecord, name: string) {
    const isTag = repo.tags.some(t => t.name === name);
    if (!isTag && !this.world.isBranch(repo, name)) return null;
    const target = this.world.resolveRef(repo, name)!;
    return {
      id: globalId('Ref', `${repo.id}:${name}`),
      name,
      prefix: isTag ? 'refs/tags/' : 'refs/heads/',
      target: () => this.commit(repo, target),
    };
  }

  private deploymentNode(
    repo: RepositoryRecord,
    record: DeploymentRecord,
  ): object {
    return {
      id: globalId('Deployment', record.id),
      databaseId: record.id,
      commit: () => {
        const index = this.world.commitIndex(repo, record.sha);
        return index >= 0 ? this.commit(repo, repo.commits[index]) : null;
      },
      commitOid: record.sha,
      createdAt: isoTime(record.createdAt),
      updatedAt: isoTime(record.updatedAt),
      creator: () => this.actor(record.creator),
      description: record.description,
      environment: record.environment,
      latestEnvironment: record.environment,
      originalEnvironment: record.environment,
      latestStatus: () => {
        const last = record.statuses[record.statuses.length - 1];
        return last ? this.status(repo, record, last) : null;
      },
      payload:
        typeof record.payload === 'string'
          ? record.payload
          : JSON.stringify(record.payload),
      ref: () => this.ref(repo, record.ref),
      repository: () => this.repository(repo),
      state: () => this.deploymentState(repo, record),
      // Newest first, as GitHub lists a deployment's statuses.
      statuses: (args: PageArgs) =>
        connection([...record.statuses].reverse(), args, 'statuses', s =>
          this.status(repo, record, s),
        ),
      task: record.task,
    };
  }

  private environmentNode(repo: RepositoryRecord, record: EnvironmentRecord) {
    return {
      id: globalId('Environment', record.id),
      databaseId: record.id,
      name: record.name,
      latestCompletedDeployment: () => {
        const completed = [...repo.deployments]
          .reverse()
          .find(
            d =>
              d.environment === record.name &&
              ['success', 'failure', 'error'].includes(latestState(d) ?? ''),
          );
        return completed ? this.deploymentNode(repo, completed) : null;
      },
      protectionRules: (args: PageArgs) => {
        const rules: object[] = [];
        if (record.reviewers.length > 0)
          rules.push({
            databaseId: record.id + 2,
            preventSelfReview: record.preventSelfReview,
            timeout: 0,
            type: 'REQUIRED_REVIEWERS',
          });
        if (record.waitTimerMinutes > 0)
          rules.push({
            databaseId: record.id + 1,
            preventSelfReview: null,
            timeout: record.waitTimerMinutes,
            type: 'WAIT_TIMER',
          });
        return connection(rules, args, 'protectionRules', r => r);
      },
    };
  }

  private repository(repo: RepositoryRecord) {
    return {
      id: globalId('Repository', repo.id),
      databaseId: repo.id,
      name: repo.name,
      nameWithOwner: fullName(repo),
      url: this.web(`/${fullName(repo)}`),
      owner: () => ({
        __typename: 'Organization',
        id: globalId('Organization', ORGANISATION.id),
        databaseId: ORGANISATION.id,
        login: ORGANISATION.login,
        name: ORGANISATION.name,
        url: this.web(`/${ORGANISATION.login}`),
      }),
      deployments: (
        args: PageArgs & {
          environments?: string[] | null;
          orderBy: { field: string; direction: 'ASC' | 'DESC' };
        },
      ) => {
        let items = repo.deployments.filter(
          d =>
            !args.environments ||
            args.environments.length === 0 ||
            args.environments.includes(d.environment),
        );
        if (args.orderBy.direction === 'DESC') items = [...items].reverse();
        return connection(items, args, 'deployments', d =>
          this.deploymentNode(repo, d),
        );
      },
      environment: ({ name }: { name: string }) => {
        const found = this.world.environment(repo, name);
        return found ? this.environmentNode(repo, found) : null;
      },
      environments: (args: PageArgs & { names: string[] }) => {
        const items = repo.environments
          .filter(e => args.names.length === 0 || args.names.includes(e.name))
          .sort((a, b) => a.name.localeCompare(b.name));
        return connection(items, args, 'environments', e =>
          this.environmentNode(repo, e),
        );
      },
    };
  }

  root() {
    return {
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const found = this.world.findRepository(owner, name);
        if (!found)
          throw new GithubGraphqlError(
            'NOT_FOUND',
            `Could not resolve to a Repository with the name '${owner}/${name}'.`,
          );
        return this.repository(found);
      },
      rateLimit: this.rateLimit,
      viewer: () => this.actor(this.identity),
    };
  }
}

function argumentValue(
  node: ValueNode,
  variables: Record<string, unknown>,
): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  return undefined;
}

/**
 * GitHub's GraphQL cost: one request per connection, multiplied by the
 * `first`/`last` of the connections around it, summed, divided by 100, at
 * least 1.
 */
export function queryCost(
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName?: string,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || d.name?.value === operationName),
  );
  if (!operation) return 1;
  let requests = 0;
  const walk = (set: SelectionSetNode | undefined, multiplier: number) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        walk(fragments.get(selection.name.value)?.selectionSet, multiplier);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, multiplier);
      } else {
        const size = (selection.arguments ?? [])
          .filter(a => a.name.value === 'first' || a.name.value === 'last')
          .map(a => Number(argumentValue(a.value, variables)) || 0)[0];
        if (size !== undefined) {
          requests += multiplier;
          walk(selection.selectionSet, multiplier * Math.max(1, size));
        } else {
          walk(selection.selectionSet, multiplier);
        }
      }
    }
  };
  walk(operation.selectionSet, 1);
  return Math.max(1, Math.round(requests / 100));
}

/** `POST /api/graphql`, as api.github.com/graphql answers it. */
export function createGithubGraphqlRouter(options: GraphqlOptions): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  router.post('/', (req, res) => {
    const identity = identityFromAuthorization(req.get('authorization'));
    if (!identity) {
      res.status(401).json({
        message: 'This endpoint requires you to be authenticated.',
        documentation_url:
          'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
      });
      return;
    }
    const { limiter } = options;
    const {
      query,
      variables = {},
      operationName,
    } = (req.body ?? {}) as {
      query?: string;
      variables?: Record<string, unknown>;
      operationName?: string;
    };
    const answer = (status: number, body: unknown, cost = 0) => {
      const state =
        cost > 0
          ? limiter.consume(identity, 'graphql', cost)
          : limiter.state(identity, 'graphql');
      setRateLimitHeaders(res, state);
      res.status(status).json(body);
    };
    if (typeof query !== 'string') {
      answer(200, {
        errors: [
          {
            message:
              'A query attribute must be specified and must be a string.',
          },
        ],
      });
      return;
    }
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      answer(200, {
        errors: [
          {
            message: (error as GraphQLError).message,
            locations: (error as GraphQLError).locations,
          },
        ],
      });
      return;
    }
    const problems = validate(schema, document);
    if (problems.length > 0) {
      answer(200, {
        errors: problems.map(p => ({
          message: p.message,
          locations: p.locations,
          path: p.path,
        })),
      });
      return;
    }
    const cost = queryCost(document, variables, operationName);
    const before = limiter.state(identity, 'graphql');
    if (before.remaining < cost) {
      // GitHub answers an exhausted GraphQL budget with 200 and an error.
      answer(200, {
        errors: [
          {
            type: 'RATE_LIMITED',
            message: 'API rate limit exceeded for user ID 1.',
          },
        ],
      });
      return;
    }
    const after = limiter.consume(identity, 'graphql', cost);
    const rateLimit = () => ({
      cost,
      limit: after.limit,
      nodeCount: 0,
      remaining: after.remaining,
      resetAt: isoTime(after.reset * 1000),
      used: after.used,
    });
    const result = execute({
      schema,
      document,
      rootValue: new GithubGraph(options, identity, rateLimit).root(),
      variableValues: variables,
      operationName,
    }) as { data?: unknown; errors?: readonly GraphQLError[] };
    setRateLimitHeaders(res, after);
    res.status(200).json({
      data: result.data ?? null,
      ...(result.errors
        ? {
            errors: result.errors.map(e => ({
              ...(e.originalError instanceof GithubGraphqlError
                ? { type: e.originalError.type }
                : {}),
              path: e.path,
              locations: e.locations,
              message: e.message,
            })),
          }
        : {}),
    });
  });
  router.use(
    (
      error: unknown,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      sendError(
        res,
        (error as { type?: string }).type === 'entity.parse.failed' ? 400 : 500,
        'Problems parsing JSON',
      );
    },
  );
  return router;
}
