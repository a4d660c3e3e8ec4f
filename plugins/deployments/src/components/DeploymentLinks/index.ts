export { DeploymentLinks, type DeploymentLinksProps } from './DeploymentLinks';
