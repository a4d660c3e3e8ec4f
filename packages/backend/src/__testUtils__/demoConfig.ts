import { resolve } from 'node:path';

const examples = resolve(__dirname, '../../../../examples');

/**
 * The parts of app-config.yaml the demo backend needs in tests: guest
 * sign-in, the permission framework, and the catalog reading examples/.
 */
export function demoConfig(extra: Record<string, unknown> = {}) {
  return {
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    auth: {
      providers: { guest: { userEntityRef: 'user:default/guest' } },
    },
    permission: { enabled: true },
    catalog: {
      rules: [{ allow: ['Component', 'System', 'Location', 'User', 'Group'] }],
      locations: [
        { type: 'file', target: `${examples}/entities.yaml` },
        { type: 'file', target: `${examples}/org.yaml` },
      ],
    },
    ...extra,
  };
}
