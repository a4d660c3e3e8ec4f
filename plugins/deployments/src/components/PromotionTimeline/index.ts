export {
  PromotionTimeline,
  type PromotionTimelineProps,
} from './PromotionTimeline';
