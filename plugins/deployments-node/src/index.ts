/**
 * The provider extension point of the Stagecraft deployments backend.
 *
 * @packageDocumentation
 */
export * from './provider';
export * from './extensions';
