export { SyncStatusBar, type SyncStatusBarProps } from './SyncStatusBar';
