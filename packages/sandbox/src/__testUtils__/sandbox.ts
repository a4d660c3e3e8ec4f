import {
  SandboxServer,
  SandboxServerOptions,
  createSandboxServer,
} from '../server';

/** 2026-03-02T12:00:00Z: the fixed start time tests use. */
export const START = Date.UTC(2026, 2, 2, 12);

/** A clock the test moves by hand. */
export function manualClock(start = START) {
  const clock = { time: start, now: () => clock.time };
  return clock;
}

/** A sandbox on a free port whose time moves only when the test says so. */
export async function startTestSandbox(
  options: SandboxServerOptions = {},
): Promise<SandboxServer> {
  return createSandboxServer({
    port: 0,
    host: '127.0.0.1',
    seed: 42,
    tickMs: 0,
    reactionMs: 0,
    webhookUrl: null,
    snsUrl: null,
    now: () => START,
    logger: { info: () => {}, warn: () => {} },
    ...options,
  });
}

export function github(server: SandboxServer, token = 'sandbox-token') {
  const request = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${server.url}/api/v3${path}`, {
      method,
      headers: {
        authorization: `token ${token}`,
        accept: 'application/vnd.github+json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  return {
    get: (path: string, headers?: Record<string, string>) =>
      request('GET', path, undefined, headers),
    post: (path: string, body: unknown) => request('POST', path, body),
    async json<T = any>(path: string): Promise<T> {
      const response = await request('GET', path);
      if (!response.ok)
        throw new Error(`GET ${path} answered ${response.status}`);
      return (await response.json()) as T;
    },
  };
}
