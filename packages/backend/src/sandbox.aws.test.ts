import { mockCredentials } from '@backstage/backend-test-utils';
import {
  ActionResponse,
  ApprovalsResponse,
  AuditResponse,
  EnvironmentsResponse,
  IDEMPOTENCY_KEY_HEADER,
} from '@stagecraft/plugin-deployments-common';
import request from 'supertest';
import {
  AwsSandboxBackend,
  SANDBOX_AWS_ACCOUNT,
  startAwsSandboxBackend,
} from './__testUtils__/awsSandboxBackend';
import {
  settledStoreRowCounts,
  storeRowCounts,
  webhookDeliveriesOf,
} from './__testUtils__/deploymentsDatabase';
import { eventually } from './__testUtils__/eventually';

const ALICE = 'user:default/alice';
const GUEST = 'user:default/guest';
const CAROL = 'user:default/carol';
const LEDGER_WORKER = 'component:default/ledger-worker';
const PYTHON_SERVICE = 'component:default/python-service';
const ACCOUNT_ID = SANDBOX_AWS_ACCOUNT.accountId;

/**
 * The whole chain on one machine, for AWS: the sandbox stands in for
 * CodePipeline, CodeDeploy, CloudFormation, Lambda and SNS; the real demo
 * backend syncs ledger-worker's pipeline and python-service's SAM stacks
 * through the AWS provider, takes the sandbox's signed SNS notifications,
 * and approves a CodePipeline manual approval through its REST API.
 */
describe('the demo backend against the AWS sandbox', () => {
  jest.setTimeout(180_000);

  let harness: AwsSandboxBackend;
  const sandbox = () => harness.sandbox;
  const server = () => harness.backend.server;

  beforeAll(async () => {
    harness = await startAwsSandboxBackend({
      // guest and alice are of team-payments, which owns both services;
      // carol is of team-storefront.
      owners: {
        [ALICE]: [LEDGER_WORKER, PYTHON_SERVICE],
        [GUEST]: [LEDGER_WORKER, PYTHON_SERVICE],
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
  });

  const entityPath = (name: string) =>
    `/api/deployments/entities/component/default/${name}`;

  /** The entity's environments, or undefined while the catalog has not ingested it yet. */
  const environmentsOf = async (name: string, user = ALICE) => {
    const response = await request(server())
      .get(`${entityPath(name)}/environments`)
      .set('Authorization', mockCredentials.user.header(user));
    if (response.status === 404) return undefined;
    expect(response.status).toBe(200);
    return (response.body as EnvironmentsResponse).environments;
  };
  const environment = async (name: string, env: string) =>
    (await environmentsOf(name))?.find(e => e.name === env);

  const approvalsFor = async (user: string) => {
    const response = await request(server())
      .get('/api/deployments/approvals')
      .set('Authorization', mockCredentials.user.header(user));
    expect(response.status).toBe(200);
    return (response.body as ApprovalsResponse).gates;
  };

  const auditOf = async (name: string) => {
    const response = await request(server())
      .get(`${entityPath(name)}/audit`)
      .query({ action: 'approve' })
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(response.status).toBe(200);
    return (response.body as AuditResponse).entries;
  };

  const aws = () => sandbox().simulation.aws;
  /** The ledger-worker execution whose manual approval waits, with that action. */
  const waitingApproval = () => {
    for (const execution of aws().pipeline.executions) {
      const action = execution.actions.find(
        a => a.stageName === 'Approve' && a.status === 'InProgress',
      );
      if (action) return { execution, action };
    }
    return undefined;
  };

  it("shows ledger-worker's waiting CodePipeline approval as AWS's production gate, to its owners only", async () => {
    const waiting = waitingApproval()!;
    expect(waiting).toBeDefined();
    const sha = waiting.execution.sourceRevision.sha;
    const production = await eventually(
      "ledger-worker's production gate",
      async () => {
        const found = await environment('ledger-worker', 'production');
        return found?.pendingGates.some(g => g.version.sha === sha)
          ? found
          : undefined;
      },
    );
    expect(production.provider).toBe('aws');
    const gate = production.pendingGates.find(g => g.version.sha === sha)!;
    expect(gate).toMatchObject({
      kind: 'provider',
      provider: 'aws',
      type: 'manual-approval',
      entityRef: LEDGER_WORKER,
      environment: 'production',
      summary: expect.stringMatching(/team-payments|posting-lag/i),
      expiresAt: expect.any(String),
    });
    // CodePipeline fails an approval nobody answers after seven days.
    expect(Date.parse(gate.expiresAt!) - Date.parse(gate.since)).toBe(
      7 * 24 * 3_600_000,
    );

    for (const owner of [ALICE, GUEST]) {
      expect((await approvalsFor(owner)).map(g => g.id)).toContain(gate.id);
    }
    expect((await approvalsFor(CAROL)).map(g => g.id)).not.toContain(gate.id);
  });

  it('approves the gate through the Stagecraft API for an owner only, once, and the execution reaches production', async () => {
    const waiting = waitingApproval()!;
    const { execution, action } = waiting;
    const sha = execution.sourceRevision.sha;
    const gate = await eventually("ledger-worker's production gate", async () =>
      (
        await environment('ledger-worker', 'production')
      )?.pendingGates.find(g => g.version.sha === sha),
    );
    expect(
      (await environment('ledger-worker', 'production'))?.current?.version.sha,
    ).not.toBe(sha);
    const putApprovalResult = jest.spyOn(aws().engine, 'decide');
    const approve = (user: string, idempotencyKey: string) =>
      request(server())
        .post(`${entityPath('ledger-worker')}/approve`)
        .set('Authorization', mockCredentials.user.header(user))
        .set(IDEMPOTENCY_KEY_HEADER, idempotencyKey)
        .send({ gateId: gate.id, comment: 'Posting lag flat on staging' });

    try {
      // carol does not own ledger-worker: refused, and the pipeline still waits.
      const refused = await approve(CAROL, 'aws-full-system-carol-approve');
      expect(refused.status).toBe(403);
      expect(refused.body.error.name).toBe('NotAllowedError');
      expect(putApprovalResult).not.toHaveBeenCalled();
      expect(action.status).toBe('InProgress');
      expect(waitingApproval()?.execution.id).toBe(execution.id);

      const approved = await approve(ALICE, 'aws-full-system-alice-approve');
      expect(approved.status).toBe(200);
      expect((approved.body as ActionResponse).request).toMatchObject({
        id: gate.id,
        action: 'approve',
        environment: 'production',
        state: 'approved',
        decidedBy: ALICE,
        version: { sha },
      });
      // The decision reached CodePipeline, with the comment as its summary.
      expect(putApprovalResult).toHaveBeenCalledTimes(1);
      expect(action.status).toBe('Succeeded');
      expect(action.summary).toBe('Posting lag flat on staging');

      // A retried request with the same key answers the same and acts once.
      const replayed = await approve(ALICE, 'aws-full-system-alice-approve');
      expect(replayed.status).toBe(200);
      expect(replayed.header['idempotent-replayed']).toBe('true');
      expect(replayed.body).toEqual(approved.body);
      expect(putApprovalResult).toHaveBeenCalledTimes(1);
    } finally {
      putApprovalResult.mockRestore();
    }

    const audit = await auditOf('ledger-worker');
    expect(audit.map(e => [e.actor, e.outcome])).toEqual(
      expect.arrayContaining([
        [CAROL, 'refused'],
        [ALICE, 'approved'],
      ]),
    );
    const decisions = audit.filter(e => e.outcome === 'approved');
    expect(decisions).toEqual([
      expect.objectContaining({
        action: 'approve',
        actor: ALICE,
        environment: 'production',
        version: expect.objectContaining({ sha }),
        comment: 'Posting lag flat on staging',
      }),
    ]);
    // Who acted on AWS: the account of the static credentials (no role is
    // assumed in this config), never the key.
    expect(decisions[0].providerIdentity).toBe(`aws-account:${ACCOUNT_ID}`);
    expect(JSON.stringify(audit)).not.toContain(
      SANDBOX_AWS_ACCOUNT.accessKeyId,
    );

    // The approved execution deploys to production on the sandbox's reaction steps.
    const deployedToProduction = () =>
      execution.stages.some(
        s => s.name === 'Deploy-Production' && s.status === 'Succeeded',
      );
    for (let i = 0; i < 20 && !deployedToProduction(); i++) sandbox().react();
    expect(deployedToProduction()).toBe(true);
    const production = await eventually(
      'the approved commit in production',
      async () => {
        const found = await environment('ledger-worker', 'production');
        return found?.current?.version.sha === sha ? found : undefined;
      },
      60_000,
    );
    expect(production.current!.provider).toBe('aws');
    expect(production.pendingGates.map(g => g.id)).not.toContain(gate.id);
  });

  const postSns = (headers: Record<string, string>, body: string) =>
    request(server())
      .post('/api/deployments/webhooks/aws')
      .set(headers)
      .send(body);

  it('refuses an SNS notification with a bad signature and stores a genuine one once, however often it comes', async () => {
    // The portal confirmed the sandbox's subscription, so notifications flow.
    expect(sandbox().sns!.confirmed).toBe(true);
    harness.relay.holdNextNotification();
    // A tick pushes to a random repository half the time; only pushes to the
    // AWS-deployed services set off events. Which ticks do depends on the
    // seeded history, which depends on today's date: tick until one does.
    for (let i = 0; i < 200 && !harness.relay.held(); i++) {
      sandbox().tick();
      sandbox().react();
      await sandbox().sns!.flush();
    }
    const genuine = harness.relay.held()!;
    expect(genuine).toBeDefined();
    const message = JSON.parse(genuine.body) as Record<string, string>;
    expect(message).toMatchObject({
      Type: 'Notification',
      SignatureVersion: '2',
      TopicArn:
        'arn:aws:sns:eu-west-1:123456789012:stagecraft-deployment-events',
    });
    const before = await settledStoreRowCounts(harness.db);

    // The same message id with a forged event, or a signature that is not SNS's.
    const event = JSON.parse(message.Message);
    const forgeries = [
      {
        ...message,
        Message: JSON.stringify({
          ...event,
          detail: { ...event.detail, forgedBy: 'someone without the key' },
        }),
      },
      {
        ...message,
        Signature: Buffer.from(
          `${message.Signature.slice(0, 40)}forged`,
        ).toString('base64'),
      },
    ];
    for (const forged of forgeries) {
      expect(forged).not.toEqual(message);
      const refused = await postSns(genuine.headers, JSON.stringify(forged));
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      expect(refused.body.error?.message).toMatch(/signature/i);
    }
    expect(
      await webhookDeliveriesOf(harness.db, 'aws', message.MessageId),
    ).toBe(0);
    expect(await storeRowCounts(harness.db)).toEqual(before);

    // The genuine message is taken (the forgeries did not use up its id) ...
    const accepted = await postSns(genuine.headers, genuine.body);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'accepted' });
    expect(
      await webhookDeliveriesOf(harness.db, 'aws', message.MessageId),
    ).toBe(1);
    const afterFirst = await storeRowCounts(harness.db);
    expect(afterFirst.deliveries).toBe(before.deliveries + 1);

    // ... and its redeliveries are dropped as duplicates.
    for (let i = 0; i < 2; i++) {
      const duplicate = await postSns(genuine.headers, genuine.body);
      expect(duplicate.status).toBe(200);
      expect(duplicate.body).toEqual({ status: 'duplicate' });
    }
    expect(
      await webhookDeliveriesOf(harness.db, 'aws', message.MessageId),
    ).toBe(1);
    expect(await storeRowCounts(harness.db)).toEqual(afterFirst);
  });

  it("shows python-service's production canary mid-rollout: both versions' shares, the strategy's step, the alarms, and GitHub's deploy job as a link", async () => {
    const python = sandbox().simulation.world.findRepository(
      'acme',
      'python-service',
    )!;
    const waiting = python.runs.find(
      r => r.status === 'waiting' && r.gate?.environment === 'production',
    )!;
    expect(waiting).toBeDefined();
    await eventually("python-service's production lane", async () =>
      (
        await environment('python-service', 'production')
      )?.current
        ? true
        : undefined,
    );
    // Its GitHub workflow's production job waits for team-payments; alice approves it there.
    const approval = await fetch(
      `${sandbox().url}/api/v3/repos/acme/python-service/actions/runs/${
        waiting.id
      }/pending_deployments`,
      {
        method: 'POST',
        headers: {
          authorization: 'token alice',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          environment_ids: [
            python.environments.find(e => e.name === 'production')!.id,
          ],
          state: 'approved',
          comment: 'Canary it',
        }),
      },
    );
    expect(approval.status).toBe(200);

    // The deploy job updates the stack; CodeDeploy starts shifting the alias.
    const { cloud } = aws();
    const canary = () =>
      cloud.deployments.find(
        d =>
          d.functionName === 'python-service-production' &&
          d.status === 'InProgress',
      );
    for (let i = 0; i < 10 && !canary(); i++) sandbox().react();
    expect(canary()).toBeDefined();
    // One tick is a minute of the config: 10 % moves to the new version.
    for (let i = 0; i < 3 && canary()!.weight === 0; i++) sandbox().tick();
    const rollout = canary()!;
    expect(rollout.weight).toBe(0.1);
    await sandbox().sns!.flush();

    const production = await eventually(
      'the canary in the production lane',
      async () => {
        const found = await environment('python-service', 'production');
        return found?.traffic?.shares.length === 2 ? found : undefined;
      },
    );
    const fn = cloud.findFunction('python-service-production')!;
    const liveSha = fn.versions.find(
      v => v.version === rollout.currentVersion,
    )!.gitSha;
    const canarySha = fn.versions.find(
      v => v.version === rollout.targetVersion,
    )!.gitSha;
    expect(canarySha).toBe(waiting.headSha);
    expect(liveSha).not.toBe(canarySha);

    // Traffic: the new version has the canary's 10 %, the live one the rest.
    const { traffic } = production;
    expect(traffic!.provider).toBe('aws');
    expect(
      traffic!.shares
        .map(share => [share.version.sha, share.percent, share.role])
        .sort((a, b) => Number(a[1]) - Number(b[1])),
    ).toEqual([
      [canarySha, 10, 'canary'],
      [liveSha, 90, 'live'],
    ]);
    // The environment still counts the live version as current until the rollout succeeds.
    expect(production.current!.version.sha).toBe(liveSha);

    // The rollout: CodeDeploy's canary config as steps, on the first one.
    const rolling = production.latest!;
    expect(
      traffic!.shares.find(share => share.role === 'canary')!.deploymentId,
    ).toBe(rolling.id);
    expect(rolling).toMatchObject({
      provider: 'aws',
      state: 'in_progress',
      version: { sha: canarySha },
      strategy: {
        type: 'canary',
        name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        trafficPercent: 10,
        steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
        currentStep: 0,
      },
    });

    // Checks: the deployment group's CloudWatch alarms (all OK) and the traffic hooks.
    const group = cloud.deploymentGroups.find(
      g => g.stackName === 'python-service-production',
    )!;
    expect(group.alarmNames.length).toBeGreaterThan(0);
    const checks = rolling.checks ?? [];
    for (const alarm of group.alarmNames) {
      expect(cloud.alarms.find(a => a.name === alarm)!.state).toBe('OK');
      expect(checks).toContainEqual(
        expect.objectContaining({ name: `alarm ${alarm}`, state: 'passing' }),
      );
    }
    expect(checks).toContainEqual(
      expect.objectContaining({
        name: 'hook BeforeAllowTraffic',
        state: 'passing',
      }),
    );
    expect(checks).toContainEqual(
      expect.objectContaining({
        name: 'hook AfterAllowTraffic',
        state: 'pending',
      }),
    );

    // GitHub's deployment of the job that ran `sam deploy` is the same
    // rollout: a link on it once GitHub is polled, not a row of its own.
    const githubDeploymentId = String(waiting.gate!.deploymentId);
    const linked = await eventually(
      "the deploy job's GitHub deployment on the rollout",
      async () => {
        const latest = (await environment('python-service', 'production'))
          ?.latest;
        return latest?.links?.some(
          link => link.providerDeploymentId === githubDeploymentId,
        )
          ? latest
          : undefined;
      },
    );
    expect(linked.id).toBe(rolling.id);
    expect(linked.links).toContainEqual(
      expect.objectContaining({
        provider: 'github',
        providerDeploymentId: githubDeploymentId,
      }),
    );
  });
});
