import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  deploymentsAbortPermission,
  deploymentsApprovePermission,
  deploymentsPromotePermission,
} from '@stagecraft/plugin-deployments-common';
import { StagecraftPermissionPolicy } from './permissionPolicy';

const guest = {
  identity: {
    type: 'user' as const,
    userEntityRef: 'user:default/guest',
    ownershipEntityRefs: ['user:default/guest', 'group:default/team-payments'],
  },
  token: 'token',
  info: {
    userEntityRef: 'user:default/guest',
    ownershipEntityRefs: ['user:default/guest', 'group:default/team-payments'],
  },
};

describe('StagecraftPermissionPolicy', () => {
  const policy = new StagecraftPermissionPolicy();

  it('lets everyone read the catalog', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityReadPermission },
      guest as any,
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('allows deployment actions only to the owners of the entity', async () => {
    const decision = await policy.handle(
      { permission: deploymentsPromotePermission },
      guest as any,
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: {
          claims: ['user:default/guest', 'group:default/team-payments'],
        },
      },
    });
  });

  it('allows aborting a rollout only to the owners of the entity, like the other actions', async () => {
    const decision = await policy.handle(
      { permission: deploymentsAbortPermission },
      guest as any,
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: {
          claims: ['user:default/guest', 'group:default/team-payments'],
        },
      },
    });
    expect(
      await policy.handle({ permission: deploymentsAbortPermission }),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('denies deployment actions to callers that are not users', async () => {
    const decision = await policy.handle({
      permission: deploymentsApprovePermission,
    });
    expect(decision).toEqual({ result: AuthorizeResult.DENY });
  });
});
