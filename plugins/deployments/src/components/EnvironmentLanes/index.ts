export {
  EnvironmentLanes,
  type EnvironmentLanesProps,
} from './EnvironmentLanes';
