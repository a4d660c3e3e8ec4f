import { ConfigReader } from '@backstage/config';
import { readMinimumSoak } from './SkewAudit';

const MINUTE = 60_000;

describe('readMinimumSoak', () => {
  it('is 30 minutes into every environment unless config says otherwise', () => {
    const soak = readMinimumSoak(new ConfigReader({}));
    expect(soak('staging')).toBe(30 * MINUTE);
    expect(soak('production')).toBe(30 * MINUTE);
  });

  it('reads a default and per-environment soaks, as objects or ISO strings, zero included', () => {
    const soak = readMinimumSoak(
      new ConfigReader({
        deployments: {
          skew: {
            minimumSoak: { hours: 1 },
            environments: {
              production: { minimumSoak: 'PT4H' },
              staging: { minimumSoak: { seconds: 0 } },
              qa: {},
            },
          },
        },
      }),
    );
    expect(soak('production')).toBe(240 * MINUTE);
    expect(soak('staging')).toBe(0);
    expect(soak('qa')).toBe(60 * MINUTE);
    expect(soak('canary')).toBe(60 * MINUTE);
  });

  it('refuses a malformed soak, naming the key', () => {
    expect(() =>
      readMinimumSoak(
        new ConfigReader({
          deployments: {
            skew: { environments: { production: { minimumSoak: 'soon' } } },
          },
        }),
      ),
    ).toThrow(
      /^deployments\.skew\.environments\.production\.minimumSoak must be a duration/,
    );
    expect(() =>
      readMinimumSoak(
        new ConfigReader({
          deployments: { skew: { minimumSoak: { minutes: -5 } } },
        }),
      ),
    ).toThrow(
      /^deployments\.skew\.minimumSoak must be a duration of zero or more/,
    );
  });
});
