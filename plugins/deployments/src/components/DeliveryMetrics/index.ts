export { EntityDeliveryMetricsPanel } from './EntityDeliveryMetricsPanel';
export { EntityDeliveryMetricsCard } from './EntityDeliveryMetricsCard';
export { DeliveryMetricsView } from './DeliveryMetricsView';
