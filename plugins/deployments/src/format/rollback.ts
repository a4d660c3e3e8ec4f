import type {
  Deployment,
  EnvironmentSummary,
  RollbackInfo,
} from '@stagecraft/plugin-deployments-common';
import { versionLabel } from './version';

/** `user:default/alice` reads as `alice`; a provider login stays as it is. */
function actorName(by: string): string {
  const match = /^user:(?:default\/)?(.+)$/i.exec(by);
  return match ? match[1] : by;
}

/**
 * "rolled back automatically — alarm payments-5xx in alarm at 14:02 · v1.40.0
 * restored", or "rolled back by alice: bad config · v1.40.0 restored".
 * A rollback by hand whose author is unknown says "rolled back by hand".
 */
export function rollbackSentence(rollback: RollbackInfo): string {
  let sentence: string;
  if (rollback.automatic) {
    sentence = 'rolled back automatically';
    if (rollback.reason) sentence += ` — ${rollback.reason}`;
  } else {
    sentence = rollback.by
      ? `rolled back by ${actorName(rollback.by)}`
      : 'rolled back by hand';
    if (rollback.reason) sentence += `: ${rollback.reason}`;
  }
  if (rollback.restoredVersion) {
    sentence += ` · ${versionLabel(rollback.restoredVersion)} restored`;
  }
  return sentence;
}

/**
 * The rolled-back attempt that the version running now came back through,
 * if it did. The rule, from what the lane has (`current`, the newest success,
 * and `latest`, the newest attempt): `latest` is another deployment than
 * `current`, it carries a rollback, and that rollback restored what runs now:
 * its restoring deployment's id (Stagecraft's or the provider's) or its
 * restored version's commit is `current`'s; where the provider named neither,
 * the rollback alone counts. Once a newer version succeeds it is both
 * `current` and `latest`, so the lane stops saying so. A newer attempt still
 * in flight, or failed without a rollback, hides it too: the lane only knows
 * the newest attempt.
 */
export function rolledBackAttempt(
  environment: Pick<EnvironmentSummary, 'current' | 'latest' | 'rolledBack'>,
): Deployment | undefined {
  // The backend names it when the roll back came before what runs now.
  if (environment.rolledBack) return environment.rolledBack;
  const { current, latest } = environment;
  if (!current || !latest || latest.id === current.id) return undefined;
  const rollback = latest.rollback;
  if (!rollback) return undefined;
  const byDeployment = rollback.rollbackDeploymentId;
  const byVersion = rollback.restoredVersion?.sha;
  if (!byDeployment && !byVersion) return latest;
  const restoredHere =
    (byDeployment !== undefined &&
      [current.id, current.providerDeploymentId].includes(byDeployment)) ||
    byVersion === current.version.sha;
  return restoredHere ? latest : undefined;
}
