import { ConfigReader } from '@backstage/config';
import { median, percentile, readMetricsRules } from './DeliveryMetrics';

describe('readMetricsRules', () => {
  it('tells a hotfix by its title, tag or merged branch within 24 hours by default', () => {
    const rules = readMetricsRules(new ConfigReader({}));
    expect(rules.hotfixWindowMs).toBe(24 * 3_600_000);
    for (const title of [
      'Hotfix: null currency',
      'Revert "Add refunds endpoint"',
      'Merge pull request #231 from acme/hotfix/null-currency',
    ]) {
      expect(rules.hotfixPattern.test(title)).toBe(true);
    }
    for (const title of [
      'Add refunds endpoint (#230)',
      'Document the hotfix process',
      'Merge pull request #232 from acme/feature/refunds',
    ]) {
      expect(rules.hotfixPattern.test(title)).toBe(false);
    }
  });

  it('takes the window and the pattern from config', () => {
    const rules = readMetricsRules(
      new ConfigReader({
        deployments: {
          metrics: { hotfixWindow: { hours: 6 }, hotfixPattern: '^fix!' },
        },
      }),
    );
    expect(rules.hotfixWindowMs).toBe(6 * 3_600_000);
    expect(rules.hotfixPattern.test('FIX! rounding')).toBe(true);
  });

  it('stops on a bad window or pattern, naming the key', () => {
    expect(() =>
      readMetricsRules(
        new ConfigReader({
          deployments: { metrics: { hotfixWindow: 'soon' } },
        }),
      ),
    ).toThrow(/deployments\.metrics\.hotfixWindow/);
    expect(() =>
      readMetricsRules(
        new ConfigReader({ deployments: { metrics: { hotfixPattern: '(' } } }),
      ),
    ).toThrow(
      /deployments\.metrics\.hotfixPattern must be a regular expression/,
    );
  });
});

describe('median and percentile', () => {
  it('take the middle value, the mean of the middle two, and the nearest rank', () => {
    expect(median([])).toBeUndefined();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(4); // (3 + 4) / 2 rounded
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
    expect(percentile([7], 0.9)).toBe(7);
  });
});
