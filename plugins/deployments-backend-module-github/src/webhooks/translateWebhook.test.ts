import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { AuthenticationError } from '@backstage/errors';
import { setupServer } from 'msw/node';
import { createHmac } from 'node:crypto';
import type { ProviderWebhookRequest } from '@stagecraft/plugin-deployments-node';
import {
  deployment,
  deploymentStatus,
  repository,
  sha,
  team,
  user,
  workflowRun,
} from '../__testUtils__/githubFixtures';
import {
  createTestProvider,
  WEBHOOK_SECRET,
} from '../__testUtils__/testProvider';

const REPO = 'acme/payments-api';
// No handlers: webhooks are answered from the payload alone, and any call to
// GitHub would fail the test as an unhandled request.
registerMswTestHooks(setupServer());

function delivery(
  event: string,
  payload: object,
  secret = WEBHOOK_SECRET,
): ProviderWebhookRequest {
  const rawBody = Buffer.from(JSON.stringify(payload));
  return {
    rawBody,
    headers: {
      'x-github-event': event,
      'x-github-delivery': `delivery-${event}`,
      'x-github-hook-id': '4711',
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret)
        .update(rawBody)
        .digest('hex')}`,
    },
  };
}

const repo = repository(REPO);
const productionDeployment = deployment(REPO, {
  id: 77,
  sha: sha(7),
  environment: 'prod',
  createdAt: '2026-11-20T10:00:00Z',
});

function setup() {
  const { provider } = createTestProvider();
  return provider;
}

describe('handleWebhook', () => {
  it('refuses a delivery signed with another secret', async () => {
    const provider = setup();
    await expect(
      provider.handleWebhook(
        delivery('deployment', { action: 'created' }, 'not the secret'),
      ),
    ).rejects.toThrow(AuthenticationError);
  });

  it('refuses a delivery without a signature', async () => {
    const provider = setup();
    const request = delivery('deployment', { action: 'created' });
    delete request.headers['x-hub-signature-256'];
    await expect(provider.handleWebhook(request)).rejects.toThrow(
      AuthenticationError,
    );
  });

  it('refuses a signed delivery that names no event', async () => {
    const provider = setup();
    const request = delivery('deployment', { action: 'created' });
    delete request.headers['x-github-event'];
    await expect(provider.handleWebhook(request)).rejects.toThrow(
      'GitHub webhook delivery has no X-GitHub-Event header',
    );
  });

  it('keys deliveries by hook and delivery id', async () => {
    const provider = setup();
    const result = await provider.handleWebhook(
      delivery('ping', { zen: 'Keep it logically awesome.' }),
    );
    expect(result).toEqual({ deliveryKey: '4711:delivery-ping', events: [] });
  });

  it('translates a new deployment, in GitHub environment names, which the core maps with the stored target', async () => {
    const provider = setup();
    const result = await provider.handleWebhook(
      delivery('deployment', {
        action: 'created',
        deployment: productionDeployment,
        repository: repo,
        sender: user('alice'),
      }),
    );
    expect(result.events).toEqual([
      {
        routingKey: 'acme/payments-api',
        deployments: [
          expect.objectContaining({
            providerDeploymentId: '77',
            environment: 'prod',
            version: {
              sha: sha(7),
              url: `https://github.com/${REPO}/commit/${sha(7)}`,
            },
            statuses: [
              {
                state: 'queued',
                at: '2026-11-20T10:00:00Z',
                description: 'Deployment created',
              },
            ],
          }),
        ],
      },
    ]);
  });

  it('appends the status of a deployment_status event, whatever order deliveries arrive in', async () => {
    const provider = setup();
    const statusEvent = (
      id: number,
      state: 'in_progress' | 'success',
      at: string,
    ) =>
      delivery('deployment_status', {
        action: 'created',
        deployment_status: deploymentStatus(REPO, 77, {
          id,
          state,
          createdAt: at,
          logUrl: `https://github.com/${REPO}/actions/runs/812`,
        }),
        deployment: productionDeployment,
        repository: repo,
        sender: user('alice'),
      });

    // success (10:05) is delivered before in_progress (10:01)
    const success = await provider.handleWebhook(
      statusEvent(2, 'success', '2026-11-20T10:05:00Z'),
    );
    const inProgress = await provider.handleWebhook(
      statusEvent(1, 'in_progress', '2026-11-20T10:01:00Z'),
    );

    const successDeployment = success.events[0].deployments![0];
    const inProgressDeployment = inProgress.events[0].deployments![0];
    expect(successDeployment.statuses.at(-1)).toEqual({
      state: 'success',
      at: '2026-11-20T10:05:00Z',
      logUrl: `https://github.com/${REPO}/actions/runs/812`,
    });
    expect(successDeployment.updatedAt).toBe('2026-11-20T10:05:00Z');
    // Each event carries its own status with GitHub's timestamp, so the merged
    // history orders the late in_progress before the success.
    const merged = [
      ...successDeployment.statuses,
      ...inProgressDeployment.statuses,
    ]
      .filter(
        (s, i, all) =>
          all.findIndex(o => o.at === s.at && o.state === s.state) === i,
      )
      .sort((a, b) => a.at.localeCompare(b.at));
    expect(merged.map(s => s.state)).toEqual([
      'queued',
      'in_progress',
      'success',
    ]);
  });

  it('opens a gate when a review is requested and closes it when approved', async () => {
    const provider = setup();
    const run = workflowRun(REPO, { id: 812, headSha: sha(7) });
    const requested = await provider.handleWebhook(
      delivery('deployment_review', {
        action: 'requested',
        environment: 'prod',
        since: '2026-11-20T10:02:00Z',
        requestor: user('bob'),
        reviewers: [
          { type: 'Team', reviewer: team('team-payments') },
          { type: 'User', reviewer: user('alice') },
        ],
        workflow_run: run,
        workflow_job_run: {
          id: 1,
          name: 'deploy',
          status: 'waiting',
          conclusion: null,
          html_url: run.html_url,
          environment: 'prod',
          created_at: '',
          updated_at: '',
        },
        repository: repo,
        sender: user('bob'),
      }),
    );
    expect(requested.events).toEqual([
      {
        routingKey: 'acme/payments-api',
        openedGates: [
          {
            providerGateId: '812:prod',
            environment: 'prod',
            version: {
              sha: sha(7),
              url: `https://github.com/${REPO}/commit/${sha(7)}`,
            },
            reviewers: [
              { type: 'team', name: 'team-payments' },
              { type: 'user', name: 'alice' },
            ],
            type: 'provider-review',
            since: '2026-11-20T10:02:00Z',
            requestedBy: 'bob',
            url: run.html_url,
            details: { runId: '812', githubEnvironment: 'prod' },
          },
        ],
      },
    ]);

    const approved = await provider.handleWebhook(
      delivery('deployment_review', {
        action: 'approved',
        approver: user('alice'),
        comment: 'ok',
        since: '2026-11-20T10:02:00Z',
        workflow_run: run,
        workflow_job_runs: [{ id: 1, environment: 'prod', status: 'waiting' }],
        repository: repo,
        sender: user('alice'),
      }),
    );
    expect(approved.events).toEqual([
      {
        routingKey: 'acme/payments-api',
        closedGateIds: ['812:prod'],
        resync: true,
      },
    ]);
  });

  it('turns a job waiting on an environment into a gate and asks for a resync', async () => {
    const provider = setup();
    const result = await provider.handleWebhook(
      delivery('workflow_job', {
        action: 'waiting',
        workflow_job: {
          id: 5,
          run_id: 812,
          head_sha: sha(7),
          status: 'waiting',
          started_at: '2026-11-20T10:02:00Z',
        },
        deployment: productionDeployment,
        repository: repo,
        sender: user('bob'),
      }),
    );
    expect(result.events).toEqual([
      expect.objectContaining({
        routingKey: 'acme/payments-api',
        resync: true,
        openedGates: [
          expect.objectContaining({
            providerGateId: '812:prod',
            environment: 'prod',
            reviewers: [],
          }),
        ],
      }),
    ]);
  });

  it('asks for a resync on workflow_run events', async () => {
    const provider = setup();
    const result = await provider.handleWebhook(
      delivery('workflow_run', {
        action: 'completed',
        workflow_run: workflowRun(REPO, {
          id: 812,
          headSha: sha(7),
          status: 'completed',
        }),
        repository: repo,
      }),
    );
    expect(result.events).toEqual([
      { routingKey: 'acme/payments-api', resync: true },
    ]);
  });

  it('refuses a signed body that is not JSON', async () => {
    const provider = setup();
    const rawBody = Buffer.from('{"action": "created",');
    await expect(
      provider.handleWebhook({
        rawBody,
        headers: {
          'x-github-event': 'deployment',
          'x-github-delivery': 'd-1',
          'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET)
            .update(rawBody)
            .digest('hex')}`,
        },
      }),
    ).rejects.toThrow(
      "GitHub webhook 'deployment' has a body that is not JSON",
    );
  });
});
