export { PromotionSkewPage } from './PromotionSkewPage';
