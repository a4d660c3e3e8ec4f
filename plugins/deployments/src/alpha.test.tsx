import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ApiBlueprint,
  coreExtensionData,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  registerMswTestHooks,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import deploymentsPlugin, {
  createDeploymentsAvailabilityModule,
} from './alpha';
import { deploymentsApiRef } from './api';
import { aDiff, aGate, threeLanes } from './__testUtils__/fixtures';
import { paymentsApi } from './__testUtils__/renderWithFakes';

const BACKEND = 'http://localhost:7007';
const DEPLOYMENTS_API = `${BACKEND}/api/deployments`;
const PAYMENTS_API_PATH = `${DEPLOYMENTS_API}/entities/component/default/payments-api`;

/** A component the catalog knows nothing deployment-related about. */
const docsSite: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'docs-site',
    namespace: 'default',
    annotations: { 'backstage.io/techdocs-ref': 'dir:.' },
  },
  spec: { type: 'website', lifecycle: 'production', owner: 'team-docs' },
};

/** payments-api as a third-party provider annotates it, with nothing the known providers read. */
const argoPaymentsApi: Entity = {
  ...paymentsApi,
  metadata: {
    ...paymentsApi.metadata,
    annotations: { 'argocd/app-name': 'payments-api' },
  },
};

/** payments-api deployed by AWS only. */
const awsPaymentsApi: Entity = {
  ...paymentsApi,
  metadata: {
    ...paymentsApi.metadata,
    annotations: {
      'aws.amazon.com/aws-codepipeline-arn':
        'arn:aws:codepipeline:eu-west-1:123456789012:payments-api',
    },
  },
};

const server = setupServer();
registerMswTestHooks(server);

/** Every request the deployments backend received, by path and query. */
let backendRequests: string[];

beforeEach(() => {
  backendRequests = [];
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    if (url.href.startsWith(DEPLOYMENTS_API)) {
      backendRequests.push(url.pathname.slice('/api/deployments'.length));
    }
  });
  server.use(
    http.get(`${PAYMENTS_API_PATH}/environments`, () =>
      HttpResponse.json(threeLanes()),
    ),
    http.get(`${PAYMENTS_API_PATH}/timeline`, () =>
      HttpResponse.json({
        entityRef: 'component:default/payments-api',
        environments: [],
        rows: [],
      }),
    ),
    http.get(`${PAYMENTS_API_PATH}/diff`, () => HttpResponse.json(aDiff())),
    http.get(`${PAYMENTS_API_PATH}/audit`, () =>
      HttpResponse.json({ entries: [] }),
    ),
    http.get(`${DEPLOYMENTS_API}/approvals`, () =>
      HttpResponse.json({ gates: [aGate()] }),
    ),
  );
});

afterEach(() => {
  server.events.removeAllListeners();
});

/**
 * The APIs an app provides around the plugin. The deployments client itself
 * is not among them: it comes from the plugin's own API extension, so the
 * requests above are the ones that extension's client makes.
 */
const appApis = [
  mockApis.discovery({ baseUrl: BACKEND }),
  mockApis.permission(),
  mockApis.identity({ userEntityRef: 'user:default/guest' }),
] as const;

/** An entity page for `entity` with the given extensions of the plugin on it. */
function renderEntityPage(
  entity: Entity,
  extension:
    | 'entity-content:deployments'
    | 'entity-card:deployments/deployments',
) {
  return renderTestApp({
    extensions: [
      createTestEntityPage({ entity }),
      deploymentsPlugin.getExtension(extension),
      deploymentsPlugin.getExtension('api:deployments'),
    ],
    apis: appApis,
  });
}

describe('the deployments plugin in the new frontend system', () => {
  describe('the Deployments entity tab', () => {
    const content = deploymentsPlugin.getExtension(
      'entity-content:deployments',
    );

    it('is titled Deployments at the path deployments, on the plugin’s root route', () => {
      const tester = createExtensionTester(content);
      expect(tester.get(coreExtensionData.routePath)).toBe('deployments');
      expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
        'Deployments',
      );
      expect(tester.get(coreExtensionData.routeRef)).toBe(
        deploymentsPlugin.routes.root,
      );
    });

    it('is offered only for entities with a deployments annotation', () => {
      const filter = createExtensionTester(content).get(
        EntityContentBlueprint.dataRefs.filterFunction,
      );
      expect(filter).toBeDefined();
      expect(filter!(paymentsApi)).toBe(true);
      expect(filter!(awsPaymentsApi)).toBe(true);
      expect(filter!(docsSite)).toBe(false);
      expect(filter!(argoPaymentsApi)).toBe(false);
    });

    it('is offered for a third-party provider’s entities with the availability module', async () => {
      renderTestApp({
        features: [
          deploymentsPlugin,
          createDeploymentsAvailabilityModule({
            annotations: ['argocd/app-name'],
          }),
        ],
        extensions: [createTestEntityPage({ entity: argoPaymentsApi })],
        apis: appApis,
      });

      // The whole app starts first: under load that takes more than a second.
      expect(
        await screen.findByRole(
          'region',
          { name: 'Environment production' },
          { timeout: 10_000 },
        ),
      ).toBeInTheDocument();
      expect(
        await screen.findByRole('list', { name: 'Environments' }),
      ).toBeInTheDocument();
    });

    it('shows the environment lanes of an entity with a GitHub project slug', async () => {
      renderEntityPage(paymentsApi, 'entity-content:deployments');

      const production = await screen.findByRole(
        'region',
        { name: 'Environment production' },
        { timeout: 10_000 },
      );
      expect(within(production).getByText('v1.40.0')).toBeInTheDocument();
      expect(backendRequests).toContain(
        '/entities/component/default/payments-api/environments',
      );
    });

    it('is not shown, and asks the backend nothing, for an entity without one', async () => {
      renderEntityPage(docsSite, 'entity-content:deployments');

      expect(
        await screen.findByTestId('empty-entity-page'),
      ).toBeEmptyDOMElement();
      expect(backendRequests).toEqual([]);
    });
  });

  describe('the Deployments overview card', () => {
    const card = deploymentsPlugin.getExtension(
      'entity-card:deployments/deployments',
    );

    it('is offered only for entities with a deployments annotation', () => {
      const filter = createExtensionTester(card).get(
        EntityCardBlueprint.dataRefs.filterFunction,
      );
      expect(filter).toBeDefined();
      expect(filter!(paymentsApi)).toBe(true);
      expect(filter!(docsSite)).toBe(false);
    });

    it('lists what runs in each environment of an entity with a GitHub project slug', async () => {
      renderEntityPage(paymentsApi, 'entity-card:deployments/deployments');

      const environments = await screen.findByRole('list', {
        name: 'Environments',
      });
      const lines = within(environments).getAllByRole('listitem');
      expect(lines.map(line => line.textContent)).toEqual([
        expect.stringMatching(/^dev · v1\.42\.0/),
        expect.stringMatching(/^staging · v1\.41\.2/),
        expect.stringMatching(/^production · v1\.40\.0/),
      ]);
    });

    it('is not shown for an entity without one', async () => {
      renderEntityPage(docsSite, 'entity-card:deployments/deployments');

      expect(
        await screen.findByTestId('empty-entity-page'),
      ).toBeEmptyDOMElement();
      expect(backendRequests).toEqual([]);
    });
  });

  describe('the approvals page', () => {
    const page = deploymentsPlugin.getExtension('page:deployments/approvals');

    it('is mounted at /deployments/approvals on the approvals route, with a title for the sidebar', () => {
      const tester = createExtensionTester(page);
      expect(tester.get(coreExtensionData.routePath)).toBe(
        '/deployments/approvals',
      );
      expect(tester.get(coreExtensionData.routeRef)).toBe(
        deploymentsPlugin.routes.approvals,
      );
      expect(tester.get(coreExtensionData.title)).toBe('Approvals');
    });

    it('lists the gates waiting for the signed-in user when the whole plugin is installed', async () => {
      renderTestApp({
        features: [deploymentsPlugin],
        initialRouteEntries: ['/deployments/approvals'],
        // The gates link to their entities' catalog pages.
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
        apis: appApis,
      });

      expect(
        await screen.findByRole('heading', { name: 'Waiting for my approval' }),
      ).toBeInTheDocument();
      const gate = await screen.findByRole('row', { name: /payments-api/ });
      expect(within(gate).getByText('production')).toBeInTheDocument();
      expect(backendRequests).toContain('/approvals');
    });
  });

  describe('the API extension', () => {
    const apiFactory = createExtensionTester(
      deploymentsPlugin.getExtension('api:deployments'),
    ).get(ApiBlueprint.dataRefs.factory);

    it('provides the deployments API from discovery and fetch', () => {
      expect(apiFactory.api).toBe(deploymentsApiRef);
      expect(Object.values(apiFactory.deps)).toEqual(
        expect.arrayContaining([discoveryApiRef, fetchApiRef]),
      );
    });

    it('builds a client that calls the discovered backend through the fetch API, with the user’s token', async () => {
      let authorization: string | null = null;
      server.use(
        http.get(`${PAYMENTS_API_PATH}/environments`, ({ request }) => {
          authorization = request.headers.get('authorization');
          return HttpResponse.json(threeLanes());
        }),
      );
      const client = apiFactory.factory({
        discoveryApi: mockApis.discovery({ baseUrl: BACKEND }),
        fetchApi: mockApis.fetch({
          injectIdentityAuth: { token: 'guest-token' },
        }),
      }) as typeof deploymentsApiRef.T;

      const response = await client.getEnvironments(
        'component:default/payments-api',
      );

      expect(response.environments.map(e => e.name)).toEqual([
        'dev',
        'staging',
        'production',
      ]);
      expect(authorization).toBe('Bearer guest-token');
    });
  });
});
