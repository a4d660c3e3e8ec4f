import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  deploymentsPermissions,
  deploymentsPromotePermission,
} from './permissions';

describe('deployments permissions', () => {
  it('are resource permissions on catalog entities, so policies can use catalog rules', () => {
    for (const permission of deploymentsPermissions) {
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
    }
  });

  it('have the documented names', () => {
    expect(deploymentsPermissions.map(p => p.name)).toEqual([
      'deployments.promote',
      'deployments.approve',
      'deployments.rollback',
      'deployments.override',
      'deployments.abort',
    ]);
    expect(deploymentsPromotePermission.attributes.action).toBe('update');
  });
});
