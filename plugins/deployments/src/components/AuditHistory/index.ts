export { AuditHistory, type AuditHistoryProps } from './AuditHistory';
