/*
 * A test kit: this module registers Jest tests for provider modules to run,
 * so it exports (jest/no-export) and checks fixture-dependent parts only when
 * the fixture provides them (jest/no-conditional-expect).
 */
/* eslint-disable jest/no-export, jest/no-conditional-expect */
import type { Entity } from '@backstage/catalog-model';
import {
  DeploymentProvider,
  hasCapability,
  ProviderCapability,
  ProviderSnapshot,
  ProviderTarget,
  ProviderWebhookRequest,
} from '../provider';

/**
 * What a provider module gives the conformance suite: its provider wired to
 * a fake of its backend (msw, an SDK mock, a sandbox), an entity it handles,
 * and ways to make that backend move.
 *
 * @public
 */
export interface ProviderConformanceFixture {
  provider: DeploymentProvider;
  /** An entity the provider handles, with at least one deployment in its history. */
  entity: Entity;
  /** The optional capabilities the provider claims to have. */
  capabilities: ProviderCapability[];
  /** Adds one deployment in the provider's backend; the next sync from the cursor must report it. */
  deploy(): Promise<void>;
  /** Opens a gate (a review, an approval) in the provider's backend, when the provider has gates. */
  openGate?(): Promise<void>;
  /** Closes the gate that `openGate` opened. */
  closeGate?(): Promise<void>;
  /** One delivery the provider accepts and the same bytes with a wrong signature, when it takes webhooks. */
  webhook?(): Promise<{
    valid: ProviderWebhookRequest;
    forged: ProviderWebhookRequest;
  }>;
  /** Releases what the fixture started. */
  close?(): Promise<void>;
}

/**
 * The provider conformance suite: the contract every provider keeps so the
 * core can rely on it — targets with routing keys and coverage, idempotent
 * sync, cursors that lose nothing, gates that open and close, webhook
 * deliveries with a stable dedupe key and a refused forgery, and optional
 * capabilities that are either there or absent (never a stub that throws
 * "not implemented"). Call it from a Jest test file of the provider module.
 *
 * @public
 */
export function runProviderConformanceTests(
  name: string,
  setup: () => Promise<ProviderConformanceFixture>,
): void {
  describe(`${name} keeps the deployment provider contract`, () => {
    let fixture: ProviderConformanceFixture;
    let targets: ProviderTarget[];

    beforeEach(async () => {
      fixture = await setup();
      targets = await fixture.provider.targetsOf(fixture.entity);
    });

    afterEach(async () => {
      await fixture?.close?.();
    });

    const syncAll = async (cursorOf?: Map<string, string | undefined>) => {
      const results = new Map<string, ProviderSnapshot>();
      for (const target of targets) {
        results.set(
          target.key,
          await fixture.provider.sync({
            entity: fixture.entity,
            target,
            cursor: cursorOf?.get(target.key),
          }),
        );
      }
      return results;
    };
    const idsOf = (snapshots: Map<string, ProviderSnapshot>) =>
      [...snapshots.values()].flatMap(s =>
        s.deployments.map(d => d.providerDeploymentId),
      );
    const cursorsOf = (snapshots: Map<string, ProviderSnapshot>) =>
      new Map([...snapshots].map(([key, s]) => [key, s.cursor]));

    it('names targets with routing keys and the environments they cover', async () => {
      expect(targets.length).toBeGreaterThan(0);
      const keys = targets.map(t => t.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const target of targets) {
        expect(target.key).toEqual(expect.any(String));
        expect(target.routingKeys.length).toBeGreaterThan(0);
        expect(
          target.environments === 'all' ||
            (Array.isArray(target.environments) &&
              target.environments.length > 0),
        ).toBe(true);
      }
    });

    it('has no targets for an entity without its annotations', async () => {
      const bare: Entity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'unannotated', namespace: 'default' },
        spec: {},
      };
      await expect(fixture.provider.targetsOf(bare)).resolves.toEqual([]);
    });

    it('reports deployments with unique ids, a version and an ordered history', async () => {
      const snapshots = await syncAll();
      const ids = idsOf(snapshots);
      expect(ids.length).toBeGreaterThan(0);
      for (const snapshot of snapshots.values()) {
        const own = snapshot.deployments.map(d => d.providerDeploymentId);
        expect(new Set(own).size).toBe(own.length);
        for (const deployment of snapshot.deployments) {
          expect(
            Boolean(deployment.version.sha || deployment.version.artifact),
          ).toBe(true);
          expect(Number.isNaN(Date.parse(deployment.createdAt))).toBe(false);
          const times = deployment.statuses.map(s => Date.parse(s.at));
          expect([...times].sort((a, b) => a - b)).toEqual(times);
        }
      }
    });

    it('reports the same thing when a sync is replayed from the same cursor', async () => {
      const first = await syncAll();
      const again = await syncAll();
      expect(idsOf(again).sort()).toEqual(idsOf(first).sort());
      const statuses = (s: Map<string, ProviderSnapshot>) =>
        Object.fromEntries(
          [...s.values()]
            .flatMap(x => x.deployments)
            .map(d => [d.providerDeploymentId, d.statuses]),
        );
      expect(statuses(again)).toEqual(statuses(first));
    });

    it('continues from its cursor without losing a new deployment', async () => {
      const first = await syncAll();
      const seen = new Set(idsOf(first));
      const unchanged = await syncAll(cursorsOf(first));
      // Nothing new happened: nothing unknown may appear.
      for (const id of idsOf(unchanged)) expect(seen.has(id)).toBe(true);

      await fixture.deploy();
      const next = await syncAll(cursorsOf(unchanged));
      expect(idsOf(next).filter(id => !seen.has(id)).length).toBeGreaterThan(0);
    });

    it('opens and closes gates', async () => {
      if (!fixture.openGate || !fixture.closeGate) {
        expect(fixture.openGate).toBeUndefined();
        return;
      }
      const before = await syncAll();
      const openBefore = [...before.values()].flatMap(s => s.openGates);
      await fixture.openGate();
      const opened = await syncAll(cursorsOf(before));
      const openNow = [...opened.values()].flatMap(s => s.openGates);
      expect(openNow.length).toBe(openBefore.length + 1);
      for (const gate of openNow) {
        expect(gate.providerGateId).toEqual(expect.any(String));
        expect(Boolean(gate.version.sha || gate.version.artifact)).toBe(true);
      }
      await fixture.closeGate();
      const closed = await syncAll(cursorsOf(opened));
      expect([...closed.values()].flatMap(s => s.openGates).length).toBe(
        openBefore.length,
      );
    });

    it('gives each webhook delivery a stable dedupe key and refuses a forged one', async () => {
      if (!fixture.webhook) {
        expect(hasCapability(fixture.provider, 'handleWebhook')).toBe(false);
        return;
      }
      const { valid, forged } = await fixture.webhook();
      const first = await fixture.provider.handleWebhook!(valid);
      const replay = await fixture.provider.handleWebhook!(valid);
      expect(first.deliveryKey).toEqual(expect.any(String));
      expect(first.deliveryKey.length).toBeGreaterThan(0);
      expect(replay.deliveryKey).toBe(first.deliveryKey);
      const routingKeys = new Set(targets.flatMap(t => t.routingKeys));
      for (const event of first.events) {
        expect(routingKeys.has(event.routingKey)).toBe(true);
      }
      await expect(
        fixture.provider.handleWebhook!(forged),
      ).rejects.toMatchObject({ name: 'AuthenticationError' });
    });

    it('has exactly the optional capabilities it claims', () => {
      const all: ProviderCapability[] = [
        'compare',
        'resolveVersion',
        'promote',
        'review',
        'abort',
        'handleWebhook',
      ];
      for (const capability of all) {
        expect([
          capability,
          hasCapability(fixture.provider, capability),
        ]).toEqual([capability, fixture.capabilities.includes(capability)]);
      }
    });
  });
}
