import { resolve } from 'node:path';

/** The repository template of the example pipeline. */
export const PYTHON_SERVICE_DIR = resolve(
  // This package is never bundled: it runs from source, inside this
  // repository, so its own location finds the examples reliably.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../examples/python-service',
);
