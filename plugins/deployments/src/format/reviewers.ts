import type { GateReviewer } from '@stagecraft/plugin-deployments-common';

/**
 * Reviewers as the gate's provider names them: `@login` and `@team` for
 * people, a provider identity (an IAM role, a GitHub App) as it is.
 */
export function reviewersLabel(reviewers: GateReviewer[]): string {
  return reviewers
    .map(r => (r.type === 'principal' ? r.name : `@${r.name}`))
    .join(', ');
}
