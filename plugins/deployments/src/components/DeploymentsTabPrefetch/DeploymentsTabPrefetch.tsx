import { useRef } from 'react';
import { matchPath, useLocation } from 'react-router-dom';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { deploymentsApiRef } from '../../api';
import { startTabOpening } from '../../hooks/tabOpening';
import { loadTabContent } from '../EntityDeploymentsContent/EntityDeploymentsTab';

/** @public */
export interface DeploymentsTabPrefetchProps {
  /** Where the app mounts entity pages, as a route pattern. */
  entityPath?: string;
  /** The Deployments tab's path below the entity page. */
  tabPath?: string;
}

/**
 * Starts the Deployments tab's one request from the address alone, when a
 * page opens on an entity's Deployments tab, and loads the tab's code: both
 * then run beside the catalog's read of the entity instead of after it (the
 * entity page renders its tabs only once the entity is in). Renders
 * nothing. Place it once in the app, inside the router (next to the
 * routes); the tab takes the answer as if it had asked itself, and asks
 * itself when it is not there (another tab path, an answer older than a few
 * seconds). An entity without the tab costs one unused request.
 *
 * @public
 */
export const DeploymentsTabPrefetch = ({
  entityPath = '/catalog/:namespace/:kind/:name',
  tabPath = 'deployments',
}: DeploymentsTabPrefetchProps) => {
  const api = useApi(deploymentsApiRef);
  const { pathname } = useLocation();
  const match = matchPath(
    { path: `${entityPath.replace(/\/+$/, '')}/${tabPath}`, end: false },
    pathname,
  );
  const { kind, namespace, name } = match?.params ?? {};
  const entityRef =
    kind && namespace && name
      ? stringifyEntityRef({ kind, namespace, name })
      : undefined;
  // Once per opening of a tab, while this renders (not after paint).
  const sentFor = useRef<string>();
  if (entityRef !== sentFor.current) {
    if (entityRef) {
      startTabOpening(api, entityRef);
      // The tab's code loads beside it too; the tab reports a failure itself.
      loadTabContent().catch(() => {});
    }
    sentFor.current = entityRef;
  }
  return null;
};
