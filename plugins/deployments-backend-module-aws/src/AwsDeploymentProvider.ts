import { GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type {
  DeploymentProvider,
  ProviderAbortRequest,
  ProviderActionResult,
  ProviderPromoteRequest,
  ProviderReviewRequest,
  ProviderSnapshot,
  ProviderTarget,
  ProviderTargetRequest,
  ProviderWebhookRequest,
  ProviderWebhookResult,
} from '@stagecraft/plugin-deployments-node';
import {
  putApproval,
  rollbackStage,
  startAtCommit,
  stopExecution,
} from './actions/pipelineActions';
import { stopStackDeployment } from './actions/stopDeployment';
import {
  deploymentGroupKey,
  entityLocation,
  parseEnvironmentPairs,
  stackKey,
} from './binding/annotations';
import {
  annotatedBindings,
  discoverStacksByTags,
  pipelineTarget,
  stackTarget,
  TargetSettings,
  targetSettings,
} from './binding/targets';
import { AwsClientFactory, AwsClients } from './client/AwsClientFactory';
import { describeAwsFailure, toActionError } from './client/awsErrors';
import { PipelineCursor, syncPipeline } from './sync/pipeline/syncPipeline';
import { readPipelineStructure } from './sync/pipeline/pipelineStructure';
import { StackCursor, syncStack } from './sync/stack/syncStack';
import { AwsProviderSettings, readAwsProviderSettings } from './settings';
import { handleSnsDelivery } from './webhooks/snsDelivery';
import { SnsMessageVerifier } from './webhooks/verifySnsMessage';
import { resolveVersion } from './actions/resolveVersion';

export interface AwsDeploymentProviderOptions {
  clients: AwsClientFactory;
  settings: AwsProviderSettings;
  logger: LoggerService;
  /** Verifies SNS signatures; default fetches certificates from SNS hosts (or the sandbox host). */
  snsVerifier?: SnsMessageVerifier;
  /** GETs an SNS SubscribeURL; default `fetch`. */
  confirmSubscription?: (url: string) => Promise<void>;
}

/**
 * Stagecraft's view of AWS: CodePipeline executions per stage and their
 * manual approvals, SAM/CloudFormation stack updates merged with the
 * CodeDeploy deployments they start (strategy, Lambda alias traffic, alarm
 * checks, automatic rollbacks). Acts through PutApprovalResult,
 * StartPipelineExecution at a commit, RollbackStage, StopPipelineExecution
 * and StopDeployment; takes EventBridge events through SNS.
 */
export class AwsDeploymentProvider implements DeploymentProvider {
  readonly id = 'aws';

  private readonly clients: AwsClientFactory;
  private readonly settings: AwsProviderSettings;
  private readonly logger: LoggerService;
  private readonly snsVerifier: SnsMessageVerifier;
  private readonly confirmSubscription?: (url: string) => Promise<void>;
  /** Deployment group ARNs found in stacks by sync, by stack key: their events route to the stack's target. */
  private readonly groupKeys = new Map<string, string>();
  /** The last stacks found by tags per entity, kept when a discovery call fails. */
  private readonly discovered = new Map<string, ProviderTarget[]>();
  private readonly reported = new Set<string>();

  static fromConfig(
    config: Config,
    options: { logger: LoggerService },
  ): AwsDeploymentProvider {
    const settings = readAwsProviderSettings(config);
    return new AwsDeploymentProvider({
      clients: AwsClientFactory.fromConfig(config),
      settings,
      logger: options.logger,
    });
  }

  constructor(options: AwsDeploymentProviderOptions) {
    this.clients = options.clients;
    this.settings = options.settings;
    this.logger = options.logger;
    this.snsVerifier =
      options.snsVerifier ??
      new SnsMessageVerifier({
        sandboxHost: options.settings.sns.sandboxCertificateHost,
      });
    this.confirmSubscription = options.confirmSubscription;
  }

  async targetsOf(entity: Entity): Promise<ProviderTarget[]> {
    const ref = stringifyEntityRef(entity);
    const { pipelines, stacks, problems } = annotatedBindings(
      entity,
      this.settings,
    );
    const targets = pipelines.map(p =>
      pipelineTarget(p, entity, this.settings),
    );
    if (stacks === 'tags') {
      targets.push(...(await this.discoverStacks(entity, ref, problems)));
    } else if (stacks) {
      targets.push(...stacks.map(s => this.withGroupKey(stackTarget(s))));
    }
    for (const problem of problems) this.reportOnce(`${ref}: ${problem}`);
    return targets;
  }

  async sync(
    request: ProviderTargetRequest & { cursor?: string; signal?: AbortSignal },
  ): Promise<ProviderSnapshot> {
    const settings = this.settingsOf(request.target);
    const what =
      settings.kind === 'pipeline'
        ? `pipeline ${settings.pipelineName} (${settings.accountId}/${settings.region})`
        : `stack ${settings.stackName} (${
            settings.accountId ?? 'main account'
          }/${settings.region})`;
    try {
      const clients = await this.clientsOf(settings);
      if (settings.kind === 'pipeline') {
        const { snapshot, cursor } = await syncPipeline({
          clients,
          pipelineName: settings.pipelineName,
          partition: settings.partition,
          ...stageOptions(settings, this.settings.promotionPath),
          consoleBaseUrl: this.settings.consoleBaseUrl,
          cursor: parseCursor<PipelineCursor>(request.cursor),
          signal: request.signal,
        });
        return { ...snapshot, cursor: JSON.stringify(cursor) };
      }
      const { snapshot, cursor } = await syncStack({
        clients,
        context: {
          stackName: settings.stackName,
          environment: settings.environment,
          region: settings.region,
          consoleBaseUrl: this.settings.consoleBaseUrl,
        },
        cursor: parseCursor<StackCursor>(request.cursor),
        signal: request.signal,
      });
      const { application, deploymentGroup } = cursor.resources ?? {};
      if (application && deploymentGroup) {
        this.groupKeys.set(
          stackKey(settings),
          deploymentGroupKey({
            ...settings,
            accountId: settings.accountId ?? clients.accountId,
            application,
            deploymentGroup,
          }),
        );
      }
      return { ...snapshot, cursor: JSON.stringify(cursor) };
    } catch (error) {
      // One line per failed sync, never per row; the core keeps the last state.
      const message = describeAwsFailure(error, `syncing ${what}`);
      this.logger.warn(message);
      throw new Error(message);
    }
  }

  async resolveVersion(request: ProviderTargetRequest & { ref: string }) {
    const settings = this.settingsOf(request.target);
    const clients = await this.clientsOf(settings);
    return resolveVersion({ clients, settings, ref: request.ref });
  }

  async promote(
    request: ProviderPromoteRequest,
  ): Promise<ProviderActionResult> {
    const settings = this.settingsOf(request.target);
    if (settings.kind !== 'pipeline') {
      throw new InputError(
        `Stack ${
          settings.stackName
        } is deployed by its CI (sam deploy); Stagecraft cannot ${
          request.kind === 'rollback' ? 'roll it back' : 'deploy it'
        } through CloudFormation. Use the provider that runs the deployment, or a CodePipeline.`,
      );
    }
    const clients = await this.clientsOf(settings);
    if (request.kind === 'promote') {
      return startAtCommit({
        clients,
        pipelineName: settings.pipelineName,
        sha: request.version.commitUnknown ? undefined : request.version.sha,
        idempotencyKey: request.idempotencyKey,
      });
    }
    const stageName = await this.deployStageOf(
      clients,
      settings,
      request.environment,
    );
    return rollbackStage({
      clients,
      pipelineName: settings.pipelineName,
      stageName,
      sha: request.version.commitUnknown ? undefined : request.version.sha,
    });
  }

  async review(request: ProviderReviewRequest): Promise<ProviderActionResult> {
    const settings = this.settingsOf(request.target);
    if (settings.kind !== 'pipeline') {
      throw new InputError(`Stack ${settings.stackName} has no approvals`);
    }
    const details = request.gate.details ?? {};
    const fromId = request.gate.id.replace(/^aws:/, '').split('/');
    const [kind, pipelineName, stageName, actionName, pipelineExecutionId] =
      details.pipelineName
        ? [
            'approval',
            details.pipelineName,
            details.stageName,
            details.actionName,
            details.pipelineExecutionId,
          ]
        : fromId;
    if (
      kind !== 'approval' ||
      !stageName ||
      !actionName ||
      !pipelineExecutionId
    ) {
      throw new InputError(
        `Gate '${request.gate.id}' does not name a CodePipeline approval`,
      );
    }
    if (pipelineName !== settings.pipelineName) {
      throw new InputError(
        `Gate '${request.gate.id}' belongs to pipeline ${pipelineName}, not ${settings.pipelineName}`,
      );
    }
    const clients = await this.clientsOf(settings);
    return putApproval({
      clients,
      pipelineName,
      stageName,
      actionName,
      pipelineExecutionId,
      decision: request.decision,
      comment: request.comment,
    });
  }

  async abort(request: ProviderAbortRequest): Promise<ProviderActionResult> {
    const settings = this.settingsOf(request.target);
    const id = request.deployment.providerDeploymentId;
    const clients = await this.clientsOf(settings);
    if (
      settings.kind === 'stack' &&
      id.startsWith(`cloudformation/${settings.stackName}/`)
    ) {
      return stopStackDeployment({
        clients,
        stackName: settings.stackName,
        providerDeploymentId: id,
        rollback: request.rollback,
      });
    }
    const parts = id.split('/');
    if (
      settings.kind === 'pipeline' &&
      parts[0] === 'codepipeline' &&
      parts[1] === settings.pipelineName &&
      parts[2]
    ) {
      if (request.rollback) {
        throw new InputError(
          'CodePipeline stops an execution without rolling it back; stop it without rollback, then roll the stage back',
        );
      }
      return stopExecution({
        clients,
        pipelineName: settings.pipelineName,
        pipelineExecutionId: parts[2],
        reason: request.comment,
      });
    }
    throw new InputError(`'${id}' is not a rollout of ${request.target.key}`);
  }

  async handleWebhook(
    request: ProviderWebhookRequest,
  ): Promise<ProviderWebhookResult> {
    return handleSnsDelivery(request, {
      verifier: this.snsVerifier,
      topicArns: this.settings.sns.topicArns,
      sandboxHost: this.settings.sns.sandboxCertificateHost,
      confirm: this.confirmSubscription,
    });
  }

  private settingsOf(target: ProviderTarget): TargetSettings {
    const settings = targetSettings(target);
    if (!settings) {
      throw new InputError(
        `'${target.key}' is not a target of the AWS provider`,
      );
    }
    return settings;
  }

  private clientsOf(settings: TargetSettings): Promise<AwsClients> {
    return this.clients.forAccount({
      accountId: settings.accountId ?? this.settings.defaultAccountId,
      region: settings.region,
    });
  }

  private async deployStageOf(
    clients: AwsClients,
    settings: Extract<TargetSettings, { kind: 'pipeline' }>,
    environment: string,
  ): Promise<string> {
    const mapped = stageOptions(
      settings,
      this.settings.promotionPath,
    ).stageMapping?.get(environment);
    if (mapped) return mapped;
    try {
      const { pipeline } = await clients.codepipeline.send(
        new GetPipelineCommand({ name: settings.pipelineName }),
      );
      const structure = readPipelineStructure(
        pipeline,
        stageOptions(settings, this.settings.promotionPath),
      );
      const stage = structure.stages
        .filter(
          s =>
            s.reportAs === environment && s.approvals.length < s.actions.length,
        )
        .pop();
      if (stage) return stage.name;
    } catch (error) {
      throw toActionError(error, `reading ${settings.pipelineName}`);
    }
    throw new InputError(
      `No stage of ${settings.pipelineName} deploys to ${environment}`,
    );
  }

  private async discoverStacks(
    entity: Entity,
    ref: string,
    problems: string[],
  ): Promise<ProviderTarget[]> {
    const { accountId, region } = entityLocation(entity, {
      accountId: this.settings.defaultAccountId,
      region: this.settings.defaultRegion,
    });
    try {
      const clients = await this.clients.forAccount({ accountId, region });
      const found = await discoverStacksByTags({
        entity,
        clients,
        settings: this.settings,
      });
      problems.push(...found.problems);
      const targets = found.stacks.map(s => this.withGroupKey(stackTarget(s)));
      this.discovered.set(ref, targets);
      return targets;
    } catch (error) {
      this.logger.warn(
        describeAwsFailure(error, `finding the stacks of ${ref} by tags`),
      );
      return this.discovered.get(ref) ?? [];
    }
  }

  private withGroupKey(target: ProviderTarget): ProviderTarget {
    const group = this.groupKeys.get(target.key);
    return group
      ? { ...target, routingKeys: [...target.routingKeys, group] }
      : target;
  }

  private reportOnce(problem: string) {
    if (this.reported.has(problem)) return;
    if (this.reported.size > 1000) this.reported.clear();
    this.reported.add(problem);
    this.logger.warn(problem);
  }
}

function stageOptions(
  settings: Extract<TargetSettings, { kind: 'pipeline' }>,
  fallbackPath: string[],
): { stageMapping?: Map<string, string>; environments: string[] } {
  const { pairs } = parseEnvironmentPairs(
    settings.stages,
    'stages',
    () => true,
  );
  const environments = settings.path ? settings.path.split(',') : fallbackPath;
  return pairs.size > 0
    ? { stageMapping: pairs, environments }
    : { environments };
}

function parseCursor<T extends { v: number }>(
  cursor: string | undefined,
): T | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(cursor) as T;
    // An unreadable or older cursor means a fresh backfill, never a failure.
    return parsed && parsed.v === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}
