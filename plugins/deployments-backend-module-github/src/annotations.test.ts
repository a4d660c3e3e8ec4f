import type { Entity } from '@backstage/catalog-model';
import { EnvironmentNames, readGithubRepository } from './annotations';

const withSlug = (slug?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: slug === undefined ? {} : { 'github.com/project-slug': slug },
  },
});

describe('readGithubRepository', () => {
  it('reads owner and repository from the project slug', () => {
    expect(readGithubRepository(withSlug('acme/payments-api'))).toEqual({
      owner: 'acme',
      repo: 'payments-api',
    });
  });

  it('ignores entities without the annotation', () => {
    expect(readGithubRepository(withSlug())).toBeUndefined();
  });

  it('ignores malformed slugs instead of calling GitHub with them', () => {
    expect(readGithubRepository(withSlug('acme'))).toBeUndefined();
    expect(readGithubRepository(withSlug('acme/payments/api'))).toBeUndefined();
    expect(readGithubRepository(withSlug('../etc/passwd'))).toBeUndefined();
  });
});

describe('EnvironmentNames', () => {
  it('maps Stagecraft names to GitHub names and back', () => {
    const names = EnvironmentNames.parse('production=prod, staging = stage');
    expect(names.toGithub('production')).toBe('prod');
    expect(names.fromGithub('stage')).toBe('staging');
  });

  it('keeps names without a mapping unchanged', () => {
    const names = EnvironmentNames.parse('production=prod');
    expect(names.toGithub('dev')).toBe('dev');
    expect(names.fromGithub('dev')).toBe('dev');
  });

  it('skips malformed pairs but keeps the valid ones', () => {
    const names = EnvironmentNames.parse('production,=x,a=b=c,staging=stage');
    expect(names.toString()).toBe('staging=stage');
  });
});
