import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { promotionPathOf } from './promotionPath';

function entity(promotionPath?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      annotations: promotionPath
        ? { 'stagecraft.io/promotion-path': promotionPath }
        : {},
    },
    spec: { type: 'service' },
  };
}

const noConfig = new ConfigReader({});

describe('promotionPathOf', () => {
  it('defaults to dev, staging, production', () => {
    expect(promotionPathOf(entity(), noConfig)).toEqual([
      'dev',
      'staging',
      'production',
    ]);
  });

  it('uses the configured path when the entity names none', () => {
    const config = new ConfigReader({
      deployments: { promotionPath: ['test', 'prod'] },
    });
    expect(promotionPathOf(entity(), config)).toEqual(['test', 'prod']);
  });

  it('prefers the annotation, trimming spaces', () => {
    const config = new ConfigReader({
      deployments: { promotionPath: ['test', 'prod'] },
    });
    expect(promotionPathOf(entity(' qa, eu-prod ,us_prod.1 '), config)).toEqual(
      ['qa', 'eu-prod', 'us_prod.1'],
    );
  });

  it('refuses an invalid name and names the entity and the value', () => {
    expect(() => promotionPathOf(entity('dev,pro duction'), noConfig)).toThrow(
      new InputError(
        "The promotion path in annotation stagecraft.io/promotion-path of component:default/payments-api has an invalid environment name 'pro duction'",
      ),
    );
    expect(() => promotionPathOf(entity('dev,,prod'), noConfig)).toThrow(
      /invalid environment name ''/,
    );
  });

  it('refuses an environment named twice', () => {
    expect(() => promotionPathOf(entity('dev,prod,dev'), noConfig)).toThrow(
      /names 'dev' twice/,
    );
  });

  it('refuses a bad configured path', () => {
    const config = new ConfigReader({
      deployments: { promotionPath: ['dev', '../etc'] },
    });
    expect(() => promotionPathOf(entity(), config)).toThrow(
      /config deployments.promotionPath has an invalid environment name '..\/etc'/,
    );
  });
});
