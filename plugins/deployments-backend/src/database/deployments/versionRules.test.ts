import { versionSightings } from './versionRules';
import { at, report, sha } from '../__testUtils__/storeTestKit';

describe('version rules', () => {
  it('sees a version once, at its earliest deployment, with the names any report gave', () => {
    expect(
      versionSightings([
        report('2', {
          version: { sha: sha(1).toUpperCase() },
          createdAt: at(9),
        }),
        report('1', {
          version: { sha: sha(1), tag: 'v1', url: 'https://x/1' },
          createdAt: at(3),
        }),
        report('3', { version: { sha: sha(2) }, createdAt: at(5) }),
      ]),
    ).toEqual([
      {
        sha: sha(1),
        tag: 'v1',
        message: null,
        version_url: 'https://x/1',
        first_seen_at: Date.parse(at(3)),
      },
      {
        sha: sha(2),
        tag: null,
        message: null,
        version_url: null,
        first_seen_at: Date.parse(at(5)),
      },
    ]);
  });
});
