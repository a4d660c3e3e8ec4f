export { PendingApprovalsList } from './PendingApprovalsList';
