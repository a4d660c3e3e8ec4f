export { PromotionSkewPanel } from './PromotionSkewPanel';
export { SkewFindingsTable, skewSummary } from './SkewFindingsTable';
