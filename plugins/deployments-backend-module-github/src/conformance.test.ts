import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { runProviderConformanceTests } from '@stagecraft/plugin-deployments-node/testing';
import { setupServer } from 'msw/node';
import { createHmac } from 'node:crypto';
import { FakeGithub } from './__testUtils__/FakeGithub';
import {
  deployment,
  deploymentStatus,
  environment,
  pendingDeployment,
  repository,
  sha,
  user,
  workflowRun,
} from './__testUtils__/githubFixtures';
import {
  createTestProvider,
  entityFor,
  WEBHOOK_SECRET,
} from './__testUtils__/testProvider';

const REPO = 'acme/payments-api';
const github = new FakeGithub();
registerMswTestHooks(setupServer(...github.handlers()));

function at(minutes: number) {
  return new Date(
    Date.UTC(2026, 10, 20, 8, 0) + minutes * 60_000,
  ).toISOString();
}

runProviderConformanceTests('GithubDeploymentProvider', async () => {
  github.clear();
  const repo = github.repository(REPO);
  repo.environments = [
    environment(REPO, { id: 1, name: 'dev' }),
    environment(REPO, {
      id: 3,
      name: 'production',
      reviewers: [{ team: 'team-payments' }],
    }),
  ];
  let next = 1;
  const addDeployment = () => {
    const id = next++;
    repo.deployments.unshift(
      deployment(REPO, {
        id,
        sha: sha(id),
        environment: id % 2 ? 'dev' : 'production',
        createdAt: at(id),
      }),
    );
    repo.statuses.set(id, [
      deploymentStatus(REPO, id, {
        id: id * 10,
        state: 'success',
        createdAt: at(id + 0.5),
      }),
    ]);
  };
  addDeployment();
  addDeployment();
  const { provider } = createTestProvider();
  return {
    provider,
    entity: entityFor(REPO),
    capabilities: [
      'compare',
      'resolveVersion',
      'promote',
      'review',
      'handleWebhook',
    ],
    async deploy() {
      addDeployment();
    },
    async openGate() {
      repo.waitingRuns = [
        workflowRun(REPO, { id: 900, headSha: sha(2), actor: 'bob' }),
      ];
      repo.pendingDeployments.set(900, [
        pendingDeployment(REPO, {
          environmentId: 3,
          environment: 'production',
          reviewers: [{ team: 'team-payments' }],
          waitTimerMinutes: 0,
          waitTimerStartedAt: at(3),
        }),
      ]);
    },
    async closeGate() {
      repo.waitingRuns = [];
      repo.pendingDeployments.clear();
    },
    async webhook() {
      const rawBody = Buffer.from(
        JSON.stringify({
          action: 'created',
          deployment: deployment(REPO, {
            id: 99,
            sha: sha(99),
            environment: 'dev',
            createdAt: at(99),
          }),
          repository: repository(REPO),
          sender: user('alice'),
        }),
      );
      const headers = (secret: string) => ({
        'x-github-event': 'deployment',
        'x-github-delivery': 'delivery-conformance',
        'x-github-hook-id': '4711',
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret)
          .update(rawBody)
          .digest('hex')}`,
      });
      return {
        valid: { rawBody, headers: headers(WEBHOOK_SECRET) },
        forged: { rawBody, headers: headers('not the secret') },
      };
    },
  };
});
