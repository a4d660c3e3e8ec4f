import request from 'supertest';
import {
  ALICE,
  BASE,
  ENTITY_REF,
  as,
  idempotencyKey,
  startDeployments,
} from '../../http/__testUtils__/routerTestKit';

jest.setTimeout(60_000);

const PIPELINE = 'arn:aws:codepipeline:eu-west-1:111111111111:payments';

const window = (id: string, cron: string, timeZone = 'Europe/Berlin') => ({
  environment: 'production',
  id,
  kind: 'allow' as const,
  cron,
  timeZone,
  label: 'CodePipeline',
  definedAt: `pipeline payments, stage Deploy-Prod, rule ${id}`,
});

async function startWithWindows(windows: Array<ReturnType<typeof window>>) {
  const started = await startDeployments({});
  // Stored as the test provider's, which deploys every lane here.
  const provider = started.provider.id;
  await started.store.setEntityTargets(ENTITY_REF, provider, [
    { key: PIPELINE, routingKeys: [PIPELINE], environments: 'all' },
  ]);
  await started.store.replaceProviderWindows(
    ENTITY_REF,
    provider,
    PIPELINE,
    windows,
  );
  return started;
}

describe('provider-defined deployment windows', () => {
  it('lists the time outside a CodePipeline window within a range as its freeze, marked as the provider’s', async () => {
    const { server } = await startWithWindows([
      window('Weekdays', '* * 9-16 ? * MON-FRI'),
    ]);
    const response = await request(server)
      .get('/api/deployments/freezes')
      .query({
        entity: ENTITY_REF,
        // Thursday 2098-05-08 to Tuesday 2098-05-13, UTC.
        from: '2098-05-08T12:00:00Z',
        to: '2098-05-13T00:00:00Z',
      })
      .set(as(ALICE));
    expect(response.status).toBe(200);
    expect(response.body.problems).toEqual([]);
    const reason =
      'deploys into production allowed only Mon–Fri 09:00–17:00 Europe/Berlin (CodePipeline)';
    expect(response.body.occurrences.map((o: any) => [o.start, o.end])).toEqual(
      [
        // Thursday 17:00 to Friday 09:00 Berlin (summer time, UTC+2) …
        ['2098-05-08T15:00:00.000Z', '2098-05-09T07:00:00.000Z'],
        // … the weekend …
        ['2098-05-09T15:00:00.000Z', '2098-05-12T07:00:00.000Z'],
        // … and Monday night.
        ['2098-05-12T15:00:00.000Z', '2098-05-13T07:00:00.000Z'],
      ],
    );
    expect(response.body.occurrences[1]).toEqual(
      expect.objectContaining({
        name: 'CodePipeline deployment window',
        source: 'test',
        reason,
        environments: ['production'],
        timeZone: 'Europe/Berlin',
        schedule: {
          kind: 'outside-window',
          cron: '* * 9-16 ? * MON-FRI',
          allowed: 'Mon–Fri 09:00–17:00 Europe/Berlin',
        },
      }),
    );
  });

  it('shows on the lane whether deploys may enter now, and does not refuse a promotion itself', async () => {
    const { server } = await startWithWindows([
      window('Always', '* * * * * ?', 'UTC'),
      window('Never', '* * * ? * * 2199', 'UTC'),
    ]);
    const lanes = await request(server)
      .get(`${BASE}/environments`)
      .set(as(ALICE));
    expect(lanes.status).toBe(200);
    const byName = Object.fromEntries(
      lanes.body.environments.map((e: any) => [e.name, e]),
    );
    expect(
      lanes.body.environments
        .filter((e: any) => e.name !== 'production' && e.deploymentWindows)
        .map((e: any) => e.name),
    ).toEqual([]);
    expect(byName.production.freeze).toBeUndefined();
    expect(byName.production.deploymentWindows).toEqual([
      {
        provider: 'test',
        label: 'CodePipeline',
        allowed: 'daily all day UTC',
        timeZone: 'UTC',
        open: true,
      },
      {
        provider: 'test',
        label: 'CodePipeline',
        allowed: 'in 2199 all day UTC',
        timeZone: 'UTC',
        open: false,
      },
    ]);
    // CodePipeline holds the deploy at the stage's entry; Stagecraft does not refuse it.
    const promoted = await request(server)
      .post(`${BASE}/promote`)
      .set(as(ALICE))
      .set('Idempotency-Key', idempotencyKey())
      .send({ environment: 'production' });
    expect(promoted.status).toBe(202);
  });

  it('lists a window whose cron or zone cannot be read as a problem, not as a freeze', async () => {
    const { server } = await startWithWindows([
      window('LastFriday', '* * 9-16 ? * 6L'),
      window('Mars', '* * 9-16 ? * MON-FRI', 'Mars/Olympus'),
    ]);
    const response = await request(server)
      .get('/api/deployments/freezes')
      .query({ entity: ENTITY_REF })
      .set(as(ALICE));
    expect(response.status).toBe(200);
    expect(response.body.active).toEqual([]);
    expect(response.body.problems).toEqual([
      `${ENTITY_REF}: pipeline payments, stage Deploy-Prod, rule LastFriday: cron day-of-week '6L': L, W and # are not supported; the deployment window is not shown`,
      `${ENTITY_REF}: pipeline payments, stage Deploy-Prod, rule Mars: time zone 'Mars/Olympus' cannot be read; the deployment window is not shown`,
    ]);
  });
});
