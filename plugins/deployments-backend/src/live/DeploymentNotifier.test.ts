import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import {
  ENTITY,
  at,
  gate,
  report,
  sha,
  status,
  storeTestDatabases,
  useStore,
} from '../database/__testUtils__/storeTestKit';
import { DeploymentNotifier, NotificationKinds } from './DeploymentNotifier';
import { KnexSentNotifications } from './KnexSentNotifications';
import { observeLedger } from './observeLedger';
import type { DeploymentStore } from '../database/DeploymentStore';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-payments' }],
};

/** Now, as the notifier sees it: the fixtures' day, so their failures are news. */
const NOW = Date.parse(at(30));

const ALL_KINDS: NotificationKinds = {
  approvalNeeded: true,
  decided: true,
  failed: true,
};

describe.each(databases.eachSupportedId())(
  'DeploymentNotifier on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    /** The plugin's observed store with a notifier behind it, and what it sent. */
    function setUp(options: { kinds?: Partial<NotificationKinds> } = {}) {
      const sent: NotificationSendOptions[] = [];
      const notifications: NotificationService = {
        send: async notification => {
          sent.push(notification);
        },
      };
      const logger = mockServices.logger.mock();
      const notifier = new DeploymentNotifier({
        notifications,
        sent: new KnexSentNotifications(db.knex),
        store: db.store,
        catalog: catalogServiceMock({ entities: [paymentsApi] }),
        auth: mockServices.auth(),
        logger,
        kinds: { ...ALL_KINDS, ...options.kinds },
        promotionPathOf: () => ['dev', 'staging', 'production'],
        now: () => NOW,
      });
      const store: DeploymentStore = observeLedger(db.store, notifier);
      return { store, sent, notifier, logger, notifications };
    }

    describe('approval needed', () => {
      it('goes to the owners when the reviewers are provider principals, once per gate, with a link to the tab', async () => {
        const { store, sent, notifier } = setUp();
        await store.replaceOpenGates(ENTITY, 'github', 'acme/payments', [
          gate('7', { requestedBy: 'octocat' }),
        ]);
        // The next sync reports it again; a webhook says it again.
        await store.replaceOpenGates(ENTITY, 'github', 'acme/payments', [
          gate('7', { requestedBy: 'octocat' }),
        ]);
        await store.openGates(ENTITY, 'github', 'acme/payments', [
          gate('7', { requestedBy: 'octocat' }),
        ]);
        await notifier.settled();

        expect(sent).toEqual([
          {
            recipients: {
              type: 'entity',
              entityRef: ['group:default/team-payments'],
            },
            payload: expect.objectContaining({
              title: 'Approval needed: payments-api v1.0.0 to production',
              link: '/catalog/default/component/payments-api/deployments',
              scope: 'deployments:gate:github:7',
              topic: 'Deployments: approval needed',
              severity: 'high',
            }),
          },
        ]);
        expect(sent[0].payload.description).toContain('@team-payments');
      });

      it('goes to reviewers that are Backstage users or groups, and only to them', async () => {
        const { store, sent, notifier } = setUp();
        await store.openGates(ENTITY, 'aws', 'pipeline', [
          gate('a1', {
            reviewers: [
              { type: 'user', name: 'user:default/carol' },
              { type: 'team', name: 'group:default/sre' },
            ],
          }),
        ]);
        await notifier.settled();
        expect(sent.map(s => s.recipients)).toEqual([
          {
            type: 'entity',
            entityRef: ['user:default/carol', 'group:default/sre'],
          },
        ]);
      });

      it('goes to the owners, without the requester, for the portal’s own pending request', async () => {
        const { store, sent, notifier } = setUp();
        const request = await store.createRequest({
          entityRef: ENTITY,
          action: 'promote',
          environment: 'production',
          version: { sha: sha(3), tag: 'v1.3.0' },
          requestedBy: 'user:default/alice',
          state: 'pending',
        });
        await notifier.settled();
        expect(sent).toEqual([
          {
            recipients: {
              type: 'entity',
              entityRef: ['group:default/team-payments'],
              excludeEntityRef: ['user:default/alice'],
            },
            payload: expect.objectContaining({
              title: 'Approval needed: payments-api v1.3.0 to production',
              scope: `deployments:gate:stagecraft:${request.id}`,
            }),
          },
        ]);
      });

      it('is not sent again after a restart', async () => {
        const first = setUp();
        await first.store.openGates(ENTITY, 'github', 'acme/payments', [
          gate('7'),
        ]);
        await first.notifier.settled();
        await first.store.closeGates(ENTITY, 'github', ['7']);

        // A new process, the same database: the gate is reported again.
        const second = setUp();
        await second.store.openGates(ENTITY, 'github', 'acme/payments', [
          gate('7'),
        ]);
        await second.notifier.settled();
        expect(first.sent).toHaveLength(1);
        expect(second.sent).toHaveLength(0);
      });

      it('is sent again by the next change when a send failed', async () => {
        const { store, sent, notifier, notifications, logger } = setUp();
        const send = notifications.send;
        notifications.send = async () => {
          throw new Error('notifications backend is down');
        };
        await store.openGates(ENTITY, 'github', 'acme/payments', [gate('7')]);
        await notifier.settled();
        expect(logger.warn).toHaveBeenCalledTimes(1);

        notifications.send = send;
        await store.openGates(ENTITY, 'github', 'acme/payments', [
          // A thinner report of the same gate is no change (the store keeps
          // what it leaves out); a new reviewer is.
          gate('7', {
            reviewers: [
              { type: 'team', name: 'team-payments' },
              { type: 'user', name: 'alice' },
            ],
          }),
        ]);
        await notifier.settled();
        expect(sent).toHaveLength(1);
      });
    });

    describe('decided', () => {
      it('goes to who asked in the portal, for the portal’s own request', async () => {
        const { store, sent, notifier } = setUp({
          kinds: { approvalNeeded: false },
        });
        const request = await store.createRequest({
          entityRef: ENTITY,
          action: 'promote',
          environment: 'production',
          version: { sha: sha(3), tag: 'v1.3.0' },
          requestedBy: 'user:default/alice',
          state: 'pending',
        });
        await store.appendAudit({
          entityRef: ENTITY,
          actor: 'user:default/bob',
          action: 'approve',
          outcome: 'approved',
          environment: 'production',
          version: { sha: sha(3), tag: 'v1.3.0' },
          comment: 'ship it',
          requestId: request.id,
        });
        await notifier.settled();
        expect(sent).toEqual([
          {
            recipients: {
              type: 'entity',
              entityRef: ['user:default/alice'],
              excludeEntityRef: ['user:default/bob'],
            },
            payload: expect.objectContaining({
              title: 'Approved: payments-api v1.3.0 to production',
              description:
                'user:default/bob approved v1.3.0 for production: “ship it”',
              scope: `deployments:gate:stagecraft:${request.id}`,
              topic: 'Deployments: decided',
            }),
          },
        ]);
      });

      it('goes to who promoted the version in the portal, for a provider’s gate; to nobody when it was started elsewhere', async () => {
        const { store, sent, notifier } = setUp();
        const version = { sha: sha(4), tag: 'v1.4.0' };
        await store.appendAudit({
          entityRef: ENTITY,
          actor: 'user:default/alice',
          action: 'promote',
          outcome: 'executed',
          environment: 'production',
          version,
        });
        await store.appendAudit({
          entityRef: ENTITY,
          actor: 'user:default/bob',
          action: 'reject',
          outcome: 'rejected',
          environment: 'production',
          version,
          comment: 'not on a Friday',
        });
        // Started in GitHub, not in the portal: no Backstage requester.
        await store.appendAudit({
          entityRef: ENTITY,
          actor: 'user:default/bob',
          action: 'approve',
          outcome: 'approved',
          environment: 'production',
          version: { sha: sha(5) },
        });
        // Refusals decide nothing.
        await store.appendAudit({
          entityRef: ENTITY,
          actor: 'user:default/alice',
          action: 'approve',
          outcome: 'refused',
          environment: 'production',
          version,
        });
        await notifier.settled();
        expect(sent).toEqual([
          expect.objectContaining({
            recipients: expect.objectContaining({
              entityRef: ['user:default/alice'],
            }),
            payload: expect.objectContaining({
              title: 'Rejected: payments-api v1.4.0 to production',
              severity: 'high',
            }),
          }),
        ]);
      });
    });

    describe('failed or rolled back', () => {
      const failing = (id: string, environment: string, minute = 20) =>
        report(id, {
          environment,
          version: { sha: sha(6), tag: 'v1.6.0' },
          statuses: [
            status('in_progress', minute - 1),
            status('failure', minute),
          ],
          updatedAt: at(minute),
        });

      it('in the last environment goes to the owners, once per deployment state, and updates the same notification', async () => {
        const { store, sent, notifier } = setUp();
        await store.upsertDeployments(ENTITY, 'github', [
          failing('91', 'production'),
        ]);
        await notifier.settled();
        await store.upsertDeployments(ENTITY, 'github', [
          report('91', {
            ...failing('91', 'production'),
            statuses: [
              status('in_progress', 19),
              status('failure', 20),
              status('rolled_back', 22),
            ],
            updatedAt: at(22),
          }),
        ]);
        await notifier.settled();
        expect(sent.map(s => [s.payload.title, s.payload.scope])).toEqual([
          [
            'payments-api v1.6.0 failed in production',
            'deployments:deployment:github:91',
          ],
          [
            'payments-api v1.6.0 rolled back in production',
            'deployments:deployment:github:91',
          ],
        ]);
        expect(sent[0].recipients).toEqual({
          type: 'entity',
          entityRef: ['group:default/team-payments'],
        });
        expect(sent[0].payload.severity).toBe('critical');
      });

      it('elsewhere, or long ago, sends nothing', async () => {
        const { store, sent, notifier } = setUp();
        await store.upsertDeployments(ENTITY, 'github', [
          failing('92', 'staging'),
          // A first sync brings a failure of last month: history, not news.
          report('93', {
            ...failing('93', 'production'),
            createdAt: '2026-10-01T12:00:00.000Z',
            statuses: [status('failure', 0)].map(s => ({
              ...s,
              at: '2026-10-01T12:05:00.000Z',
            })),
            updatedAt: '2026-10-01T12:05:00.000Z',
          }),
        ]);
        await notifier.settled();
        expect(sent).toEqual([]);
      });
    });

    it('sends nothing of a kind that config turns off', async () => {
      const { store, sent, notifier } = setUp({
        kinds: { approvalNeeded: false, failed: false },
      });
      await store.openGates(ENTITY, 'github', 'acme/payments', [gate('7')]);
      await store.upsertDeployments(ENTITY, 'github', [
        report('91', {
          environment: 'production',
          statuses: [status('failure', 20)],
          updatedAt: at(20),
        }),
      ]);
      await notifier.settled();
      expect(sent).toEqual([]);
    });
  },
);
