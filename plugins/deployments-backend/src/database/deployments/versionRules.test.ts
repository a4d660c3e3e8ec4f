import { InputError } from '@backstage/errors';
import {
  normaliseSha,
  validateVersion,
  versionSightings,
} from './versionRules';
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
        artifact: null,
        artifact_seen_at: null,
        commit_unknown: false,
        first_seen_at: Date.parse(at(3)),
      },
      {
        sha: sha(2),
        tag: null,
        message: null,
        version_url: null,
        artifact: null,
        artifact_seen_at: null,
        commit_unknown: false,
        first_seen_at: Date.parse(at(5)),
      },
    ]);
  });

  it('takes the artifact of the earliest deployment naming one, in whatever order the reports come', () => {
    const staging = report('stg', {
      environment: 'staging',
      version: {
        sha: sha(1),
        artifact: { kind: 'lambda-version', id: 'svc-staging:237' },
      },
      createdAt: at(5),
    });
    const production = report('prd', {
      environment: 'production',
      version: {
        sha: sha(1),
        artifact: { kind: 'lambda-version', id: 'svc-production:107' },
      },
      createdAt: at(9),
    });
    const plain = report('dev', { version: { sha: sha(1) }, createdAt: at(1) });
    for (const order of [
      [staging, production, plain],
      [production, plain, staging],
      [plain, production, staging],
    ]) {
      const [sighting] = versionSightings(order);
      expect(JSON.parse(sighting.artifact!)).toEqual({
        kind: 'lambda-version',
        id: 'svc-staging:237',
      });
      expect(sighting.artifact_seen_at).toBe(Date.parse(at(5)));
      expect(sighting.first_seen_at).toBe(Date.parse(at(1)));
    }
  });

  it('lower-cases commits but keeps artifact keys as the provider spelled them', () => {
    expect(normaliseSha('ABCDEF1')).toBe('abcdef1');
    expect(normaliseSha('artifact:lambda-version:Pay:42')).toBe(
      'artifact:lambda-version:Pay:42',
    );
  });

  it('accepts a commit, or an artifact key when the commit is unknown', () => {
    expect(() => validateVersion({ sha: sha(1) }, 'x')).not.toThrow();
    expect(() =>
      validateVersion(
        {
          sha: 'artifact:image:sha256:abc',
          commitUnknown: true,
          artifact: { kind: 'image', id: 'sha256:abc' },
        },
        'x',
      ),
    ).not.toThrow();
  });

  it('refuses what is neither, naming it', () => {
    expect(() => validateVersion({ sha: 'main' }, "deployment '7'")).toThrow(
      "invalid commit SHA 'main' for deployment '7'",
    );
    expect(() =>
      validateVersion({ sha: 'artifact:image:abc', commitUnknown: false }, 'x'),
    ).toThrow(InputError);
    expect(() =>
      validateVersion({ sha: sha(1), commitUnknown: true }, 'x'),
    ).toThrow('invalid version key');
    expect(() =>
      validateVersion(
        { sha: `artifact:${'x'.repeat(300)}`, commitUnknown: true },
        'x',
      ),
    ).toThrow('at most 255 characters');
    expect(() =>
      validateVersion({ sha: sha(1), artifact: { kind: '', id: '1' } }, 'x'),
    ).toThrow('invalid artifact for x');
  });
});
