/*
 * Runs the delivery-metrics benchmark through the Backstage CLI's node
 * transform, like run.js does the ledger benchmark. See metricsBenchmark.ts.
 */
require('@backstage/cli/config/nodeTransform.cjs');
require('./metricsBenchmark.ts');
