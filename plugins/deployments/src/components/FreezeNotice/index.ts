export { FreezeNotice, formatFreezeEnd } from './FreezeNotice';
export { DeploymentWindowNotice } from './DeploymentWindowNotice';
