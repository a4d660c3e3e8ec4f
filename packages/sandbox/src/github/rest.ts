import express, { Request, Response, Router } from 'express';
import { WorldError } from '../world/errors';
import { RepositoryRecord, RunRecord } from '../world/model';
import { person } from '../world/people';
import { Pipeline } from '../world/Pipeline';
import { World } from '../world/World';
import {
  InvalidRequest,
  RateLimiter,
  authenticate,
  handleErrors,
  identityOf,
  paginate,
  rateLimit,
  sendError,
  sendJson,
  sendNoContent,
  setRateLimitHeaders,
} from './http';
import { GithubRepresentation } from './representations';
import {
  EnvironmentList,
  JobList,
  PublicUser,
  WorkflowDispatchRunDetails,
  WorkflowRunList,
} from './schemas';
import { BodyReader } from './validation';

export interface GithubRestOptions {
  world: World;
  pipeline: Pipeline;
  representation: GithubRepresentation;
  limiter: RateLimiter;
}

const RUN_STATUSES = [
  'queued',
  'in_progress',
  'waiting',
  'completed',
  'requested',
  'pending',
];

/**
 * The slice of GitHub's REST API (`/api/v3`, as on GitHub Enterprise Server)
 * that the Stagecraft GitHub provider calls.
 */
export function createGithubRestRouter(options: GithubRestOptions): Router {
  const { world, pipeline, representation: present, limiter } = options;
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  router.use(authenticate);

  const reply = (req: Request, res: Response, body: unknown, status = 200) =>
    sendJson(req, res, status, body, { limiter });
  const repositoryOf = (req: Request): RepositoryRecord =>
    world.repository(req.params.owner, req.params.repo);
  const runOf = (req: Request, repository: RepositoryRecord): RunRecord => {
    const run = world.findRun(repository, Number(req.params.run_id));
    if (!run) throw new WorldError('not-found', `No run ${req.params.run_id}`);
    return run;
  };

  router.get('/rate_limit', (_req, res) => {
    // Reading the rate limit does not count against it.
    const core = limiter.state(identityOf(res), 'core');
    const graphql = limiter.state(identityOf(res), 'graphql');
    setRateLimitHeaders(res, core);
    const view = (s: typeof core) => ({
      limit: s.limit,
      used: s.used,
      remaining: s.remaining,
      reset: s.reset,
    });
    res.json({
      resources: { core: view(core), graphql: view(graphql) },
      rate: view(core),
    });
  });

  router.use(rateLimit(limiter, 'core'));

  router.get('/user', (req, res) => {
    const account = person(identityOf(res));
    const user: PublicUser = {
      ...present.user(account.login),
      name: account.name,
      company: '@acme',
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: '2019-03-01T09:00:00Z',
      updated_at: '2025-01-06T09:00:00Z',
    };
    reply(req, res, user);
  });

  router.get('/repos/:owner/:repo', (req, res) => {
    reply(req, res, present.repository(repositoryOf(req)));
  });

  router.get('/repos/:owner/:repo/deployments', (req, res) => {
    const repository = repositoryOf(req);
    const { sha, ref, task, environment } = req.query as Record<
      string,
      string | undefined
    >;
    const matching = repository.deployments
      .filter(
        d =>
          (!sha || d.sha === sha) &&
          (!ref || d.ref === ref) &&
          (!task || d.task === task) &&
          (!environment || d.environment === environment),
      )
      .reverse();
    reply(
      req,
      res,
      paginate(req, res, matching).map(d => present.deployment(repository, d)),
    );
  });

  router.post('/repos/:owner/:repo/deployments', (req, res) => {
    const repository = repositoryOf(req);
    const body = new BodyReader(req.body);
    const ref = body.requiredString('ref');
    const environment = body.optionalString('environment') ?? 'production';
    const description = body.nullableString('description');
    if (description && description.length > 140)
      throw new InvalidRequest(
        'Invalid request.\n\ndescription is too long (maximum is 140 characters).',
      );
    body.optionalStringArray('required_contexts');
    const deployment = pipeline.createDeployment(repository, {
      ref,
      task: body.optionalString('task') ?? 'deploy',
      environment,
      payload: body.optionalPayload('payload') ?? {},
      description: description ?? '',
      autoMerge: body.optionalBoolean('auto_merge') ?? true,
      transientEnvironment:
        body.optionalBoolean('transient_environment') ?? false,
      productionEnvironment:
        body.optionalBoolean('production_environment') ??
        environment === 'production',
      creator: identityOf(res),
    });
    res.setHeader('Location', present.deployment(repository, deployment).url);
    reply(req, res, present.deployment(repository, deployment), 201);
  });

  router.get('/repos/:owner/:repo/deployments/:deployment_id', (req, res) => {
    const repository = repositoryOf(req);
    const deployment = world.findDeployment(
      repository,
      Number(req.params.deployment_id),
    );
    if (!deployment) throw new WorldError('not-found', 'deployment');
    reply(req, res, present.deployment(repository, deployment));
  });

  router.get(
    '/repos/:owner/:repo/deployments/:deployment_id/statuses',
    (req, res) => {
      const repository = repositoryOf(req);
      const deployment = world.findDeployment(
        repository,
        Number(req.params.deployment_id),
      );
      if (!deployment) throw new WorldError('not-found', 'deployment');
      const newestFirst = [...deployment.statuses].reverse();
      reply(
        req,
        res,
        paginate(req, res, newestFirst).map(s =>
          present.deploymentStatus(repository, deployment, s),
        ),
      );
    },
  );

  router.get('/repos/:owner/:repo/environments', (req, res) => {
    const repository = repositoryOf(req);
    const page = paginate(req, res, repository.environments);
    const body: EnvironmentList = {
      total_count: repository.environments.length,
      environments: page.map(e => present.environment(repository, e)),
    };
    reply(req, res, body);
  });

  router.get(
    '/repos/:owner/:repo/environments/:environment_name',
    (req, res) => {
      const repository = repositoryOf(req);
      const environment = world.environment(
        repository,
        req.params.environment_name,
      );
      if (!environment) throw new WorldError('not-found', 'environment');
      reply(req, res, present.environment(repository, environment));
    },
  );

  const listRuns = (
    req: Request,
    res: Response,
    repository: RepositoryRecord,
  ) => {
    const q = req.query as Record<string, string | undefined>;
    const runs = repository.runs
      .filter(
        r =>
          (!q.status ||
            (RUN_STATUSES.includes(q.status)
              ? r.status === q.status
              : r.conclusion === q.status)) &&
          (!q.event || r.event === q.event) &&
          (!q.branch || r.headBranch === q.branch) &&
          (!q.head_sha || r.headSha === q.head_sha) &&
          (!q.actor || r.actor === q.actor),
      )
      .reverse();
    const body: WorkflowRunList = {
      total_count: runs.length,
      workflow_runs: paginate(req, res, runs).map(r =>
        present.run(repository, r),
      ),
    };
    reply(req, res, body);
  };

  router.get('/repos/:owner/:repo/actions/runs', (req, res) => {
    listRuns(req, res, repositoryOf(req));
  });

  const workflowOf = (req: Request, repository: RepositoryRecord) => {
    const id = req.params.workflow_id;
    const { workflow } = repository;
    if (id !== String(workflow.id) && id !== workflow.path.split('/').pop())
      throw new WorldError('not-found', `No workflow ${id}`);
    return workflow;
  };

  router.get(
    '/repos/:owner/:repo/actions/workflows/:workflow_id/runs',
    (req, res) => {
      const repository = repositoryOf(req);
      workflowOf(req, repository);
      listRuns(req, res, repository);
    },
  );

  router.get('/repos/:owner/:repo/actions/runs/:run_id', (req, res) => {
    const repository = repositoryOf(req);
    reply(req, res, present.run(repository, runOf(req, repository)));
  });

  router.get('/repos/:owner/:repo/actions/runs/:run_id/jobs', (req, res) => {
    const repository = repositoryOf(req);
    const run = runOf(req, repository);
    const body: JobList = {
      total_count: run.jobs.length,
      jobs: paginate(req, res, run.jobs).map(j =>
        present.job(repository, run, j),
      ),
    };
    reply(req, res, body);
  });

  router.get(
    '/repos/:owner/:repo/actions/runs/:run_id/approvals',
    (req, res) => {
      const repository = repositoryOf(req);
      const run = runOf(req, repository);
      reply(
        req,
        res,
        run.reviews.map(r => present.approval(repository, r)),
      );
    },
  );

  router.get(
    '/repos/:owner/:repo/actions/runs/:run_id/pending_deployments',
    (req, res) => {
      const repository = repositoryOf(req);
      const run = runOf(req, repository);
      reply(
        req,
        res,
        present.pendingDeployments(repository, run, identityOf(res)),
      );
    },
  );

  router.post(
    '/repos/:owner/:repo/actions/runs/:run_id/pending_deployments',
    (req, res) => {
      const repository = repositoryOf(req);
      const run = runOf(req, repository);
      const body = new BodyReader(req.body);
      const environmentIds = body.requiredIntegerArray('environment_ids');
      const state = body.requiredEnum('state', [
        'approved',
        'rejected',
      ] as const);
      const comment = body.requiredString('comment');
      const deployments = pipeline.review(repository, run, {
        environmentIds,
        state,
        comment,
        user: identityOf(res),
      });
      reply(
        req,
        res,
        deployments.map(d => present.deployment(repository, d)),
      );
    },
  );

  router.post(
    '/repos/:owner/:repo/actions/workflows/:workflow_id/dispatches',
    (req, res) => {
      const repository = repositoryOf(req);
      workflowOf(req, repository);
      const body = new BodyReader(req.body);
      const ref = body.requiredString('ref');
      const inputs = body.optionalObject('inputs') ?? {};
      const returnRunDetails =
        body.optionalBoolean('return_run_details') ?? false;
      const run = pipeline.dispatch(repository, {
        ref,
        inputs,
        actor: identityOf(res),
      });
      if (!returnRunDetails) {
        sendNoContent(res, limiter);
        return;
      }
      const presented = present.run(repository, run);
      const details: WorkflowDispatchRunDetails = {
        workflow_run_id: run.id,
        run_url: presented.url,
        html_url: presented.html_url,
      };
      reply(req, res, details);
    },
  );

  router.get('/repos/:owner/:repo/compare/:basehead(*)', (req, res) => {
    const repository = repositoryOf(req);
    const basehead = req.params.basehead;
    const [baseRef, headRef, extra] = basehead.split('...');
    if (!baseRef || !headRef || extra !== undefined)
      throw new WorldError('not-found', basehead);
    const base = world.resolveRef(repository, baseRef);
    const head = world.resolveRef(repository, headRef);
    if (!base || !head) throw new WorldError('not-found', basehead);
    const baseIndex = world.commitIndex(repository, base.sha);
    const headIndex = world.commitIndex(repository, head.sha);
    const between = repository.commits.slice(
      baseIndex + 1,
      Math.max(baseIndex, headIndex) + 1,
    );
    const paged =
      req.query.per_page !== undefined || req.query.page !== undefined;
    // Unpaged, GitHub lists at most the 250 most recent commits.
    const commits = paged ? paginate(req, res, between) : between.slice(-250);
    const page = Math.max(1, Number(req.query.page) || 1);
    reply(
      req,
      res,
      present.comparison(
        repository,
        base,
        head,
        { commits, includeFiles: page === 1 },
        basehead,
      ),
    );
  });

  router.get('/repos/:owner/:repo/commits/:commit_sha/pulls', (req, res) => {
    const repository = repositoryOf(req);
    const commit = world.resolveRef(repository, req.params.commit_sha);
    if (!commit)
      throw new InvalidRequest(
        `No commit found for SHA: ${req.params.commit_sha}`,
      );
    const pulls = repository.pulls.filter(p => p.number === commit.pullNumber);
    reply(
      req,
      res,
      paginate(req, res, pulls).map(p => present.pull(repository, p)),
    );
  });

  router.get('/repos/:owner/:repo/commits/:ref(*)', (req, res) => {
    const repository = repositoryOf(req);
    const commit = world.resolveRef(repository, req.params.ref);
    if (!commit)
      throw new InvalidRequest(`No commit found for SHA: ${req.params.ref}`);
    if ((req.get('accept') ?? '').includes('application/vnd.github.sha')) {
      setRateLimitHeaders(res, limiter.consume(identityOf(res), 'core'));
      res.type('application/vnd.github.sha').send(commit.sha);
      return;
    }
    reply(req, res, present.commit(repository, commit, { withFiles: true }));
  });

  router.get('/repos/:owner/:repo/tags', (req, res) => {
    const repository = repositoryOf(req);
    const newestFirst = [...repository.tags].reverse();
    reply(
      req,
      res,
      paginate(req, res, newestFirst).map(t => present.tag(repository, t)),
    );
  });

  router.use((_req, res) => sendError(res, 404, 'Not Found'));
  router.use(handleErrors);
  return router;
}
