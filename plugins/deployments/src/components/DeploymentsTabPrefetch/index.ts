export {
  DeploymentsTabPrefetch,
  type DeploymentsTabPrefetchProps,
} from './DeploymentsTabPrefetch';
