export { AbortDialog, type AbortDialogProps } from './AbortDialog';
export { abortMethodOf, type AbortBody } from './abortApi';
