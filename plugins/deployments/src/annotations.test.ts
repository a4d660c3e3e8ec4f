import type { Entity } from '@backstage/catalog-model';
import {
  createIsDeploymentsAvailable,
  isDeploymentsAvailable,
} from './annotations';

const withAnnotations = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', annotations },
});

describe('isDeploymentsAvailable', () => {
  it('is true for an entity with a GitHub project slug', () => {
    expect(
      isDeploymentsAvailable(
        withAnnotations({ 'github.com/project-slug': 'acme/payments-api' }),
      ),
    ).toBe(true);
  });

  it('is true for an entity with only an AWS CodePipeline annotation', () => {
    expect(
      isDeploymentsAvailable(
        withAnnotations({
          'aws.amazon.com/aws-codepipeline-arn':
            'arn:aws:codepipeline:eu-west-1:123456789012:payments-api',
        }),
      ),
    ).toBe(true);
  });

  it('is true for any Stagecraft annotation', () => {
    expect(
      isDeploymentsAvailable(
        withAnnotations({
          'stagecraft.io/environments': 'dev=aws,production=aws',
        }),
      ),
    ).toBe(true);
  });

  it('is false for an entity no provider reads, and for an empty annotation', () => {
    expect(
      isDeploymentsAvailable(
        withAnnotations({ 'backstage.io/techdocs-ref': 'dir:.' }),
      ),
    ).toBe(false);
    expect(
      isDeploymentsAvailable(
        withAnnotations({ 'github.com/project-slug': '' }),
      ),
    ).toBe(false);
    expect(
      isDeploymentsAvailable({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'bare' },
      }),
    ).toBe(false);
  });
});

describe('createIsDeploymentsAvailable', () => {
  const isAvailable = createIsDeploymentsAvailable({
    annotations: ['argocd/app-name'],
    annotationPrefixes: ['example.com/deploy-'],
  });

  it('adds a third-party provider’s annotations and prefixes', () => {
    expect(
      isAvailable(withAnnotations({ 'argocd/app-name': 'payments' })),
    ).toBe(true);
    expect(
      isAvailable(withAnnotations({ 'example.com/deploy-target': 'eu' })),
    ).toBe(true);
    expect(isAvailable(withAnnotations({ 'argocd/other': 'x' }))).toBe(false);
  });

  it('keeps the known providers', () => {
    expect(
      isAvailable(
        withAnnotations({ 'github.com/project-slug': 'acme/payments-api' }),
      ),
    ).toBe(true);
  });
});
