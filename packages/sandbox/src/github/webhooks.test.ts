import { verify } from '@octokit/webhooks-methods';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { SandboxServer } from '../server';
import {
  github,
  manualClock,
  startTestSandbox,
} from '../__testUtils__/sandbox';
import { signatureOf } from './webhooks';

interface Received {
  event: string;
  delivery: string;
  hookId: string;
  signature: string;
  body: string;
  payload: any;
}

const SECRET = 'stagecraft-sandbox-secret';

async function startReceiver() {
  const received: Received[] = [];
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({
        event: String(req.headers['x-github-event']),
        delivery: String(req.headers['x-github-delivery']),
        hookId: String(req.headers['x-github-hook-id']),
        signature: String(req.headers['x-hub-signature-256']),
        body,
        payload: JSON.parse(body),
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${
    (receiver.address() as AddressInfo).port
  }/api/deployments/webhooks/github`;
  return {
    received,
    url,
    close: () => new Promise(resolve => receiver.close(resolve)),
  };
}

describe('webhooks', () => {
  let server: SandboxServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    receiver = await startReceiver();
  });

  afterEach(async () => {
    await server?.close();
    await receiver.close();
  });

  it('signs like GitHub (the documented test vector)', () => {
    expect(signatureOf('Hello, World!', "It's a Secret to Everybody")).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('announces a new commit flowing to dev with signed workflow and deployment events', async () => {
    const clock = manualClock();
    server = await startTestSandbox({
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      now: clock.now,
    });
    for (
      let i = 0;
      i < 30 &&
      !receiver.received.some(
        r =>
          r.event === 'deployment_status' &&
          r.payload.deployment_status.state === 'success',
      );
      i++
    ) {
      clock.time += 60_000;
      server.tick();
      await server.webhooks!.flush();
    }
    const events = receiver.received.map(r => `${r.event}.${r.payload.action}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'workflow_run.requested',
        'workflow_run.in_progress',
        'workflow_job.queued',
        'workflow_job.completed',
        'deployment.created',
        'deployment_status.created',
      ]),
    );
    const dev = receiver.received.find(
      r =>
        r.event === 'deployment' && r.payload.deployment.environment === 'dev',
    )!;
    expect(dev.payload).toMatchObject({
      deployment: {
        task: 'deploy',
        ref: 'main',
        creator: { login: 'github-actions[bot]' },
      },
      workflow: { path: '.github/workflows/deploy.yml' },
      workflow_run: { event: 'push' },
      repository: { owner: { login: 'acme' } },
    });
    const states = receiver.received
      .filter(
        r =>
          r.event === 'deployment_status' &&
          r.payload.deployment.id === dev.payload.deployment.id,
      )
      .map(r => r.payload.deployment_status.state);
    expect(states).toEqual(['queued', 'in_progress', 'success']);
    for (const delivery of receiver.received) {
      expect(await verify(SECRET, delivery.body, delivery.signature)).toBe(
        true,
      );
      expect(
        await verify('another secret', delivery.body, delivery.signature),
      ).toBe(false);
      expect(delivery.hookId).toMatch(/^\d+$/);
    }
    expect(new Set(receiver.received.map(r => r.delivery)).size).toBe(
      receiver.received.length,
    );
  });

  it('announces a review, the resumed run and its production deployment', async () => {
    server = await startTestSandbox({
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
    });
    const api = github(server, 'bob');
    const { workflow_runs } = await api.json(
      '/repos/acme/ledger-worker/actions/runs?status=waiting',
    );
    const { environments } = await api.json(
      '/repos/acme/ledger-worker/environments',
    );
    const production = environments.find((e: any) => e.name === 'production');
    await api.post(
      `/repos/acme/ledger-worker/actions/runs/${workflow_runs[0].id}/pending_deployments`,
      {
        environment_ids: [production.id],
        state: 'approved',
        comment: 'Go',
      },
    );
    for (let i = 0; i < 4; i++) server.react();
    await server.webhooks!.flush();

    const events = receiver.received.map(r => `${r.event}.${r.payload.action}`);
    expect(events).toEqual([
      'deployment_review.approved',
      'workflow_run.in_progress',
      'workflow_job.in_progress',
      'deployment_status.created',
      'deployment_status.created',
      'deployment_status.created',
      'workflow_job.completed',
      'workflow_run.completed',
    ]);
    const review = receiver.received[0].payload;
    expect(review).toMatchObject({
      approver: { login: 'bob' },
      comment: 'Go',
      workflow_run: {
        id: workflow_runs[0].id,
        head_sha: workflow_runs[0].head_sha,
      },
      workflow_job_runs: [{ environment: 'production' }],
      reviewers: [{ type: 'Team', reviewer: { slug: 'team-payments' } }],
    });
    expect(receiver.received[5].payload.deployment_status).toMatchObject({
      state: 'success',
      environment: 'production',
    });
    expect(receiver.received[7].payload.workflow_run).toMatchObject({
      status: 'completed',
      conclusion: 'success',
    });
    for (const delivery of receiver.received) {
      expect(await verify(SECRET, delivery.body, delivery.signature)).toBe(
        true,
      );
    }
  });

  it('keeps serving when deliveries fail, and says so once', async () => {
    const warnings: string[] = [];
    await receiver.close();
    const clock = manualClock();
    server = await startTestSandbox({
      webhookUrl: receiver.url,
      now: clock.now,
      logger: { info: () => {}, warn: message => warnings.push(message) },
    });
    for (let i = 0; i < 10; i++) {
      clock.time += 60_000;
      server.tick();
    }
    await server.webhooks!.flush();
    expect(server.webhooks!.stats.failed).toBeGreaterThan(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(receiver.url);
    expect((await github(server).get('/repos/acme/payments-api')).status).toBe(
      200,
    );
  });
});
