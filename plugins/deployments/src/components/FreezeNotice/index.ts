export { FreezeNotice, formatFreezeEnd } from './FreezeNotice';
