/**
 * Test utilities for provider authors: an in-memory provider and the
 * provider conformance suite.
 *
 * @packageDocumentation
 */
export * from './TestDeploymentProvider';
export * from './conformance';
