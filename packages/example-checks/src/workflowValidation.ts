import {
  validateAction,
  validateWorkflow,
  type ValidationError,
  type ValidationState,
} from '@action-validator/core';

function describe(error: ValidationError): string[] {
  const where =
    'path' in error ? error.path : `line ${error.location?.line ?? '?'}`;
  const nested = ('states' in error ? error.states ?? [] : []).flatMap(state =>
    state.errors.flatMap(describe),
  );
  const own = `${where}: ${error.title}${
    error.detail ? ` (${error.detail})` : ''
  }`;
  return nested.length > 0 ? nested : [own];
}

function problemsOf(state: ValidationState): string[] {
  return state.errors.flatMap(describe);
}

/**
 * Schema problems of a GitHub Actions workflow (the schema GitHub publishes,
 * checked by action-validator), one readable line each.
 */
export function workflowSchemaProblems(source: string): string[] {
  return problemsOf(validateWorkflow(source));
}

/** Schema problems of an action's `action.yml` (composite actions included). */
export function actionSchemaProblems(source: string): string[] {
  return problemsOf(validateAction(source));
}
