/**
 * The deployments plugin in a test backend (as the router tests start it)
 * with the registry's test utility in place of the actions registry, so a
 * test can invoke the actions the plugin registered, and an auditor that
 * records every event.
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockCredentials } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import {
  ALICE,
  startDeployments,
} from '../../http/__testUtils__/routerTestKit';

/** One auditor event as it was closed (or opened). */
export interface RecordedAuditEvent {
  eventId: string;
  severityLevel?: string;
  status: 'initiated' | 'succeeded' | 'failed';
  meta: JsonObject;
  error?: string;
  /** Whether the event was given the HTTP request (REST) or not (the registry). */
  withRequest: boolean;
}

export async function startWithRegistry(
  options: Parameters<typeof startDeployments>[0] = {},
) {
  const registry = actionsRegistryServiceMock();
  const auditEvents: RecordedAuditEvent[] = [];
  const started = await startDeployments({
    ...options,
    services: [
      createServiceFactory({
        service: actionsRegistryServiceRef,
        deps: {},
        factory: () => registry,
      }),
      createServiceFactory({
        service: coreServices.auditor,
        deps: {},
        factory: () => ({
          async createEvent(event) {
            const base = {
              eventId: event.eventId,
              severityLevel: event.severityLevel,
              withRequest: Boolean(event.request),
            };
            auditEvents.push({
              ...base,
              status: 'initiated',
              meta: event.meta ?? {},
            });
            return {
              success: async params => {
                auditEvents.push({
                  ...base,
                  status: 'succeeded',
                  meta: { ...event.meta, ...params?.meta },
                });
              },
              fail: async params => {
                auditEvents.push({
                  ...base,
                  status: 'failed',
                  meta: { ...event.meta, ...params.meta },
                  error: params.error.message,
                });
              },
            };
          },
        }),
      }),
      ...(options.services ?? []),
    ],
  });

  /** Invokes one of the plugin's actions (the mock names them `test:<name>`). */
  const invoke = async (
    name: string,
    input: JsonObject,
    credentials: BackstageCredentials = mockCredentials.user(ALICE),
  ) => {
    const { output } = await registry.invoke({
      id: `test:${name}`,
      input,
      credentials,
    });
    return output as any;
  };

  return { ...started, registry, auditEvents, invoke };
}

/** A value as JSON carries it (no undefined fields), to compare with a REST body. */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}
