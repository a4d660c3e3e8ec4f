import type {
  EnvironmentTraffic,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type {
  ProviderDeployment,
  ProviderEnvironment,
  ProviderGate,
  ProviderTarget,
  ProviderTraffic,
  ProviderVersion,
} from '@stagecraft/plugin-deployments-node';
import type {
  EnvironmentProtection,
  LedgerDeployment,
  ProviderWindow,
  LedgerGate,
  NewDeploymentLink,
} from '../database/DeploymentStore';
import { providerId } from '../database/providerId';
import { covers, EnvironmentOwner } from '../environments/ownership';

/** What one target reported, in the provider's own environment names. */
export interface TargetReport {
  deployments?: ProviderDeployment[];
  gates?: ProviderGate[];
  environments?: ProviderEnvironment[];
  traffic?: ProviderTraffic[];
}

/** The same report as the ledger stores it for one entity. */
export interface LedgerReport {
  deployments: LedgerDeployment[];
  /** Rollouts in environments another provider owns: links on the owner's deployment, not rows. */
  links: NewDeploymentLink[];
  gates: LedgerGate[];
  protection: Array<Omit<EnvironmentProtection, 'provider' | 'targetKey'>>;
  /** The deployment windows the provider's own schedule defines, by entity environment. */
  windows: Array<Omit<ProviderWindow, 'provider' | 'targetKey'>>;
  traffic: Array<EnvironmentTraffic & { environment: string }>;
  /** Reports left out, each with why (for a debug log). */
  skipped: string[];
}

/** The key of a version whose commit the provider does not know. */
export function artifactKey(artifact: { kind: string; id: string }): string {
  return `artifact:${artifact.kind}:${artifact.id}`;
}

/**
 * A provider's version as the ledger keeps it: the commit is the key; without
 * one, the artifact makes a stable key and the version says the commit is
 * unknown. Undefined when the provider gave neither.
 */
export function ledgerVersion(version: ProviderVersion): Version | undefined {
  const { sha, artifact, ...rest } = version;
  if (sha) {
    return { ...rest, sha, ...(artifact ? { artifact } : {}) };
  }
  if (artifact) {
    return {
      ...rest,
      sha: artifactKey(artifact),
      artifact,
      commitUnknown: true,
    };
  }
  return undefined;
}

/** The entity's name for a provider environment name, through the target's mapping. */
export function entityEnvironment(
  target: ProviderTarget,
  providerName: string,
): string {
  return target.environmentNames?.[providerName] ?? providerName;
}

/**
 * Translates what one target reported into what the ledger stores for one
 * entity: environment names mapped, environments the target does not cover
 * left out (how entities sharing a repository keep apart), versions
 * normalised, and deployments into environments that another provider owns
 * turned into links on that provider's deployment of the same commit.
 */
export function translateReport(options: {
  provider: string;
  target: ProviderTarget;
  ownerOf: (environment: string) => EnvironmentOwner;
  report: TargetReport;
}): LedgerReport {
  const { provider, target, ownerOf, report } = options;
  const result: LedgerReport = {
    deployments: [],
    links: [],
    gates: [],
    protection: [],
    windows: [],
    traffic: [],
    skipped: [],
  };
  const place = (providerName: string, what: string) => {
    const environment = entityEnvironment(target, providerName);
    if (!covers(target, environment)) {
      result.skipped.push(
        `${what}: environment ${environment} is not one that target ${target.key} covers`,
      );
      return undefined;
    }
    return environment;
  };

  for (const deployment of report.deployments ?? []) {
    const what = `deployment ${deployment.providerDeploymentId}`;
    const environment = place(deployment.environment, what);
    if (!environment) continue;
    const version = ledgerVersion(deployment.version);
    if (!version) {
      result.skipped.push(`${what}: neither a commit nor an artifact`);
      continue;
    }
    const owner = ownerOf(environment);
    if (owner.provider && owner.provider !== provider) {
      if (version.commitUnknown) {
        result.skipped.push(
          `${what}: ${owner.provider} owns ${environment} and the commit is unknown, so it cannot be linked`,
        );
        continue;
      }
      result.links.push({
        environment,
        sha: version.sha,
        provider,
        providerDeploymentId: deployment.providerDeploymentId,
        url: deployment.url,
        label: deployment.urlLabel,
        version,
        seenAt: deployment.createdAt,
      });
      continue;
    }
    result.deployments.push({ ...deployment, environment, version });
  }

  for (const gate of report.gates ?? []) {
    const environment = place(gate.environment, `gate ${gate.providerGateId}`);
    if (!environment) continue;
    const version = ledgerVersion(gate.version);
    if (!version) {
      result.skipped.push(`gate ${gate.providerGateId}: no version`);
      continue;
    }
    result.gates.push({ ...gate, environment, version });
  }

  for (const protection of report.environments ?? []) {
    const environment = place(
      protection.name,
      `environment ${protection.name}`,
    );
    if (!environment) continue;
    result.protection.push({
      environment,
      requiredReviewers: protection.requiredReviewers,
      waitTimerMinutes: protection.waitTimerMinutes,
      url: protection.url,
    });
    for (const window of protection.deploymentWindows ?? []) {
      result.windows.push({ ...window, environment });
    }
  }

  for (const traffic of report.traffic ?? []) {
    const environment = place(traffic.environment, `traffic`);
    if (!environment) continue;
    const owner = ownerOf(environment);
    if (owner.provider && owner.provider !== provider) {
      result.skipped.push(
        `traffic of ${environment}: ${owner.provider} owns that environment`,
      );
      continue;
    }
    const shares = traffic.shares.flatMap(share => {
      const version = ledgerVersion(share.version);
      return version
        ? [
            {
              version,
              percent: share.percent,
              ...(share.role ? { role: share.role } : {}),
              ...(share.providerDeploymentId
                ? {
                    deploymentId: providerId(
                      provider,
                      share.providerDeploymentId,
                    ),
                  }
                : {}),
            },
          ]
        : [];
    });
    result.traffic.push({ environment, provider, shares, at: traffic.at });
  }
  return result;
}
