export { EnvironmentLane, type EnvironmentLaneProps } from './EnvironmentLane';
