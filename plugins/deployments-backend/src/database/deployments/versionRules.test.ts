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
        commit_unknown: false,
        first_seen_at: Date.parse(at(3)),
      },
      {
        sha: sha(2),
        tag: null,
        message: null,
        version_url: null,
        artifact: null,
        commit_unknown: false,
        first_seen_at: Date.parse(at(5)),
      },
    ]);
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
