/*
 * Runs the TypeScript benchmark through the Backstage CLI's node transform,
 * so it measures the store's source as the backend runs it, without a build.
 * See ledgerBenchmark.ts for the options.
 */
require('@backstage/cli/config/nodeTransform.cjs');
require('./ledgerBenchmark.ts');
