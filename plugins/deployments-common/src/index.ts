/**
 * Types, permissions, request schemas and the typed REST client shared by the
 * Stagecraft deployments plugins.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './permissions';
export * from './schema';
export * from './client';
export * from './skew';
export * from './evidence';
export * from './metrics';
