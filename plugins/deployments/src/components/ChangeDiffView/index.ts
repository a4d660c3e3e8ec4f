export { ChangeDiffView, type ChangeDiffViewProps } from './ChangeDiffView';
