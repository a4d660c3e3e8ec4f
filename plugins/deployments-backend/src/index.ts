/**
 * The Stagecraft deployments backend plugin.
 *
 * @packageDocumentation
 */
export { deploymentsPlugin as default } from './plugin';
