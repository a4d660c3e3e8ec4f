import { lazy, Suspense, useRef } from 'react';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { deploymentsApiRef } from '../../api';
import { startTabOpening } from '../../hooks/tabOpening';

/** Loads the tab's own code (once, however often called): when the tab renders, or earlier (`DeploymentsTabPrefetch`). */
export const loadTabContent = () => import('./EntityDeploymentsContent');

const EntityDeploymentsContent = lazy(() =>
  loadTabContent().then(m => ({
    default: m.EntityDeploymentsContent,
  })),
);

/**
 * The Deployments tab as the entity page mounts it. This small part loads
 * with the plugin: it sends the tab's one request at once, and the tab's
 * own code (lanes, timeline, dialogs) loads while the backend answers.
 */
export const EntityDeploymentsTab = () => {
  const { entity } = useEntity();
  const api = useApi(deploymentsApiRef);
  const entityRef = stringifyEntityRef(entity);
  // Once per entity, while this first renders (not in an effect after paint).
  const sentFor = useRef<string>();
  if (sentFor.current !== entityRef) {
    startTabOpening(api, entityRef);
    sentFor.current = entityRef;
  }
  return (
    <Suspense fallback={<Progress />}>
      <EntityDeploymentsContent />
    </Suspense>
  );
};
