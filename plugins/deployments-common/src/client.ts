import { ResponseError } from '@backstage/errors';
import { parseEntityRef } from '@backstage/catalog-model';
import type {
  ActionResponse,
  ApprovalsResponse,
  AuditResponse,
  ChangeDiff,
  EnvironmentsResponse,
  FreezesResponse,
  ReleaseEvidence,
  TimelineResponse,
} from './types';
import {
  IDEMPOTENCY_KEY_HEADER,
  type AbortBody,
  type AuditQuery,
  type DecisionBody,
  type PromoteBody,
  type EnvironmentsQuery,
  type TimelineQuery,
} from './schema';
import type { SkewQuery, SkewResponse } from './skew';
import type {
  EntityMetricsResponse,
  MetricsQuery,
  OwnerMetricsQuery,
  OwnerMetricsResponse,
} from './metrics';

/**
 * What the client needs to find and call the backend (Backstage's discovery and fetch APIs fit).
 *
 * @public
 */
export interface DeploymentsClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi?: { fetch: typeof fetch };
}

/** @public */
export interface ActionOptions {
  /** Makes a retry of the same action safe; generated when absent. */
  idempotencyKey?: string;
}

/**
 * The typed client of the deployments REST API.
 *
 * @public
 */
export interface DeploymentsApi {
  getEnvironments(
    entityRef: string,
    query?: EnvironmentsQuery,
  ): Promise<EnvironmentsResponse>;
  getTimeline(
    entityRef: string,
    query?: TimelineQuery,
  ): Promise<TimelineResponse>;
  getDiff(
    entityRef: string,
    query: { from: string; to: string },
  ): Promise<ChangeDiff>;
  /**
   * `GET /freezes`: the freeze windows covering the entity (config's, its
   * own, and the time outside its provider's deployment windows), with
   * every time one is on within `from`–`to` (ISO 8601, at most 400 days).
   * Optional so that other implementations of this interface keep compiling.
   */
  getFreezes?(query: {
    entity?: string;
    from?: string;
    to?: string;
  }): Promise<FreezesResponse>;
  getAudit(
    entityRef: string,
    query?: Omit<AuditQuery, 'format'>,
  ): Promise<AuditResponse>;
  getAuditCsv(
    entityRef: string,
    query?: Omit<AuditQuery, 'format'>,
  ): Promise<string>;
  getApprovals(): Promise<ApprovalsResponse>;
  promote(
    entityRef: string,
    body: PromoteBody,
    options?: ActionOptions,
  ): Promise<ActionResponse>;
  rollback(
    entityRef: string,
    body: PromoteBody,
    options?: ActionOptions,
  ): Promise<ActionResponse>;
  approve(
    entityRef: string,
    body: DecisionBody,
    options?: ActionOptions,
  ): Promise<ActionResponse>;
  reject(
    entityRef: string,
    body: DecisionBody,
    options?: ActionOptions,
  ): Promise<ActionResponse>;
  /**
   * Stops an in-flight rollout (`POST …/abort`). Optional so that clients
   * written before it still fit; the UI offers the action only when present.
   */
  abort?(
    entityRef: string,
    body: AbortBody,
    options?: ActionOptions,
  ): Promise<ActionResponse>;
  /** The entity's promotion-skew findings (`GET …/skew`); optional like `abort`. */
  getSkew?(
    entityRef: string,
    query?: Omit<SkewQuery, 'format'>,
  ): Promise<SkewResponse>;
  /** Promotion-skew findings across the entities the caller may see (`GET /skew`). */
  getPortfolioSkew?(query?: Omit<SkewQuery, 'format'>): Promise<SkewResponse>;
  /** The portfolio's findings as CSV (`GET /skew?format=csv`). */
  getPortfolioSkewCsv?(query?: Omit<SkewQuery, 'format'>): Promise<string>;
  /** One audit entry's release evidence (`GET …/audit/{auditId}/evidence`); optional like `abort`. */
  getReleaseEvidence?(
    entityRef: string,
    auditId: string,
  ): Promise<ReleaseEvidence>;
  /** The entity's delivery metrics (`GET …/metrics`); optional like `abort`. */
  getMetrics?(
    entityRef: string,
    query?: MetricsQuery,
  ): Promise<EntityMetricsResponse>;
  /** Delivery metrics over what an owner owns (`GET /metrics?owner=`). */
  getOwnerMetrics?(query: OwnerMetricsQuery): Promise<OwnerMetricsResponse>;
}

function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/entities/${[kind, namespace, name]
    .map(encodeURIComponent)
    .join('/')}`;
}

function queryString(query: object | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function newIdempotencyKey(): string {
  return `sc-${globalThis.crypto.randomUUID()}`;
}

/** @public */
export class DeploymentsClient implements DeploymentsApi {
  private readonly discoveryApi: DeploymentsClientOptions['discoveryApi'];
  private readonly fetchImpl: typeof fetch;

  constructor(options: DeploymentsClientOptions) {
    this.discoveryApi = options.discoveryApi;
    this.fetchImpl = options.fetchApi
      ? options.fetchApi.fetch.bind(options.fetchApi)
      : (...args) => fetch(...args);
  }

  getEnvironments(entityRef: string, query?: EnvironmentsQuery) {
    return this.json<EnvironmentsResponse>(
      `${entityPath(entityRef)}/environments${queryString(query)}`,
    );
  }

  getTimeline(entityRef: string, query?: TimelineQuery) {
    return this.json<TimelineResponse>(
      `${entityPath(entityRef)}/timeline${queryString(query)}`,
    );
  }

  getFreezes(query: { entity?: string; from?: string; to?: string }) {
    return this.json<FreezesResponse>(`/freezes${queryString(query)}`);
  }

  getDiff(entityRef: string, query: { from: string; to: string }) {
    return this.json<ChangeDiff>(
      `${entityPath(entityRef)}/diff${queryString(query)}`,
    );
  }

  getAudit(entityRef: string, query?: Omit<AuditQuery, 'format'>) {
    return this.json<AuditResponse>(
      `${entityPath(entityRef)}/audit${queryString(query)}`,
    );
  }

  async getAuditCsv(entityRef: string, query?: Omit<AuditQuery, 'format'>) {
    const response = await this.request(
      `${entityPath(entityRef)}/audit${queryString({
        ...query,
        format: 'csv',
      })}`,
    );
    return response.text();
  }

  getApprovals() {
    return this.json<ApprovalsResponse>('/approvals');
  }

  promote(entityRef: string, body: PromoteBody, options?: ActionOptions) {
    return this.action(entityRef, 'promote', body, options);
  }

  rollback(entityRef: string, body: PromoteBody, options?: ActionOptions) {
    return this.action(entityRef, 'rollback', body, options);
  }

  approve(entityRef: string, body: DecisionBody, options?: ActionOptions) {
    return this.action(entityRef, 'approve', body, options);
  }

  reject(entityRef: string, body: DecisionBody, options?: ActionOptions) {
    return this.action(entityRef, 'reject', body, options);
  }

  abort(entityRef: string, body: AbortBody, options?: ActionOptions) {
    return this.action(entityRef, 'abort', body, options);
  }

  getSkew(entityRef: string, query?: Omit<SkewQuery, 'format'>) {
    return this.json<SkewResponse>(
      `${entityPath(entityRef)}/skew${queryString(query)}`,
    );
  }

  getPortfolioSkew(query?: Omit<SkewQuery, 'format'>) {
    return this.json<SkewResponse>(`/skew${queryString(query)}`);
  }

  async getPortfolioSkewCsv(query?: Omit<SkewQuery, 'format'>) {
    const response = await this.request(
      `/skew${queryString({ ...query, format: 'csv' })}`,
    );
    return response.text();
  }

  getMetrics(entityRef: string, query?: MetricsQuery) {
    return this.json<EntityMetricsResponse>(
      `${entityPath(entityRef)}/metrics${queryString(query)}`,
    );
  }

  getOwnerMetrics(query: OwnerMetricsQuery) {
    return this.json<OwnerMetricsResponse>(`/metrics${queryString(query)}`);
  }

  getReleaseEvidence(entityRef: string, auditId: string) {
    return this.json<ReleaseEvidence>(
      `${entityPath(entityRef)}/audit/${encodeURIComponent(auditId)}/evidence`,
    );
  }

  private action(
    entityRef: string,
    action: string,
    body: object,
    options?: ActionOptions,
  ): Promise<ActionResponse> {
    return this.json<ActionResponse>(`${entityPath(entityRef)}/${action}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [IDEMPOTENCY_KEY_HEADER]:
          options?.idempotencyKey ?? newIdempotencyKey(),
      },
      body: JSON.stringify(body),
    });
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.request(path, init);
    return (await response.json()) as T;
  }

  private async request(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('deployments');
    const response = await this.fetchImpl(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
