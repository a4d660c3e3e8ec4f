// Shared pieces of the reliability suite (docs/reliability.md): a seeded
// PRNG, the run's folder and secrets, the sandbox (in this process), a fault
// proxy between the backends and the sandbox, the real demo backend started
// as a child process on its own port and database, and a recorder of every
// response body the suite receives (scanned for secrets at the end).
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- randomness

/** The run's seed: RELIABILITY_SEED, else the one run.mjs picked, else random. */
export function runSeed() {
  const raw = process.env.RELIABILITY_SEED;
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new Error(
        `RELIABILITY_SEED must be a 32-bit whole number, got '${raw}'`,
      );
    }
    return value;
  }
  return randomBytes(4).readUInt32BE(0);
}

/** mulberry32: small, fast, good enough to pick fuzz cases reproducibly. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = list => list[Math.floor(next() * list.length)];
  const chance = p => next() < p;
  const shuffle = list => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
  const string = (length, alphabet) => {
    const chars =
      alphabet ??
      'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/%?#&=+ \'"<>{}[]\\|`~!@$^*()\u00e9\u4e2d\u{1f680}\u0000\n\t';
    const list = [...chars];
    let out = '';
    for (let i = 0; i < length; i++)
      out += list[Math.floor(next() * list.length)];
    return out;
  };
  return { next, int, pick, chance, shuffle, string };
}

// ---------------------------------------------------------------- the run

/**
 * The run's folder (RELIABILITY_RUN_DIR, set by run.mjs; else one per test
 * runner process): logs, recorded responses, audit rows, secrets.json.
 */
export function runDir() {
  const dir =
    process.env.RELIABILITY_RUN_DIR ??
    join(tmpdir(), `stagecraft-reliability-${process.ppid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The secret values every backend of the run is configured with, made once
 * per run (random, so nothing else could contain them by chance).
 */
export function runSecrets() {
  const file = join(runDir(), 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const hex = n => randomBytes(n).toString('hex');
  const secrets = {
    githubToken: `ghp_rel${hex(16)}`,
    githubWebhookSecret: `whsec-rel-${hex(16)}`,
    awsAccessKeyId: `AKIAREL${hex(6).toUpperCase()}`,
    awsSecretAccessKey: `relSecret/${hex(16)}`,
    awsSessionToken: `IQoJrelSession${hex(20)}`,
    pushToken: `rel-push-${hex(16)}`,
    serviceToken: `rel-service-${hex(16)}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2));
  return secrets;
}

/** Appends one received response to the run's record (scanned by secrets.reliability.mjs). */
export function recordResponse(where, status, headers, body) {
  appendFileSync(
    join(runDir(), 'responses.jsonl'),
    `${JSON.stringify({ where, status, headers, body })}\n`,
  );
}

/**
 * fetch that records the response (status, headers, body text) and returns
 * { status, headers, text, json }.
 */
export async function call(url, init = {}, where = url) {
  const response = await fetch(url, {
    ...init,
    signal: init.signal ?? AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const headers = Object.fromEntries(response.headers.entries());
  recordResponse(where, response.status, headers, text);
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers, text, json };
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined. */
export async function eventually(
  what,
  probe,
  timeoutMs = 120_000,
  everyMs = 1000,
) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${
          lastError ? ` (last error: ${lastError.message})` : ''
        }`,
      );
    }
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------- sandbox

/**
 * The sandbox in this process (time moved by the test: tickMs 0);
 * `historyDays` shortens its history (by default 95 to 175 days per
 * repository, which a first sync takes ~40 s to backfill).
 */
export async function startSandbox({
  seed,
  webhookUrl = null,
  snsUrl = null,
  historyDays,
}) {
  const { createSandboxServer } = require(join(
    ROOT,
    'packages/sandbox/src/index.ts',
  ));
  return createSandboxServer({
    port: 0,
    host: '127.0.0.1',
    seed,
    historyDays,
    tickMs: 0,
    reactionMs: 0,
    webhookUrl,
    webhookSecret: runSecrets().githubWebhookSecret,
    snsUrl,
    logger: { info: () => {}, warn: () => {} },
  });
}

/**
 * An HTTP server that records what it receives (a webhook or SNS receiver
 * standing in for the backend) and answers 200; `forward(req)` may pass a
 * delivery on (e.g. the SNS subscription confirmation).
 */
export async function startRecorder(forward) {
  const deliveries = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      const delivery = {
        path: req.url,
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
      };
      delete delivery.headers.host;
      delete delivery.headers['content-length'];
      delete delivery.headers.connection;
      try {
        if (!(forward && (await forward(delivery)))) deliveries.push(delivery);
      } catch {
        // forwarding failed: the sender retries
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    deliveries,
    close: () => new Promise(r => server.close(() => r())),
  };
}

/** How late a `slow` proxy passes each request on. */
const SLOW_MS = 1000;

/**
 * Between the backends and the sandbox's provider APIs. Each provider
 * (`github`: /api/…, `aws`: /aws/…) has a mode: pass, 5xx, timeout,
 * throttle (GitHub 403 with an exhausted rate limit, AWS
 * ThrottlingException), throttle-429 (GitHub 429 with the rate-limit
 * headers), malformed, revoked (GitHub 401, AWS ExpiredTokenException),
 * denied (AWS AccessDeniedException), slow (passed on a second late).
 * Records the credentials it saw and a log of the requests (`seen.log`:
 * provider, method, path, time, and the repository a GraphQL query names).
 */
export async function startFaultProxy(targetUrl) {
  const target = new URL(targetUrl);
  const modes = { github: 'pass', aws: 'pass' };
  /** Per provider, which requests a mode applies to (absent: all of them). */
  const only = {};
  const seen = {
    requests: { github: 0, aws: 0 },
    /** Requests answered with the provider's fault, and passed through, since the last `set`. */
    faulted: { github: 0, aws: 0 },
    passed: { github: 0, aws: 0 },
    authorization: new Set(),
    log: [],
  };
  const sockets = new Set();
  /** Requests a `timeout` mode holds; cut (a reset connection) when the mode changes. */
  const held = { github: new Set(), aws: new Set() };
  const server = http.createServer((req, res) => {
    const provider = req.url.startsWith('/aws/') ? 'aws' : 'github';
    seen.requests[provider]++;
    const entry = {
      provider,
      method: req.method,
      path: req.url,
      at: Date.now(),
    };
    seen.log.push(entry);
    if (req.url.startsWith('/api/graphql')) {
      // Which repository a GraphQL query reads (its variables name it).
      let head = '';
      req.on('data', chunk => {
        if (head.length < 4096) head += chunk.toString('utf8');
      });
      req.on('end', () => {
        const match = /"(?:name|repo)"\s*:\s*"([^"]+)"/.exec(head);
        if (match) entry.repository = match[1];
      });
    }
    if (req.headers.authorization)
      seen.authorization.add(req.headers.authorization);
    if (req.headers['x-amz-security-token']) {
      seen.authorization.add(
        `x-amz-security-token ${req.headers['x-amz-security-token']}`,
      );
    }
    const applies = only[provider]?.(req) ?? true;
    const mode = applies ? modes[provider] : 'pass';
    seen[mode === 'pass' ? 'passed' : 'faulted'][provider]++;
    const drain = () => req.resume();
    if (mode === '5xx') {
      drain();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"message":"Service Unavailable"}');
      return;
    }
    if (mode === 'timeout') {
      drain(); // never answers; the client's own timeout must give up
      held[provider].add(res);
      res.on('close', () => held[provider].delete(res));
      return;
    }
    if (mode === 'throttle') {
      drain();
      if (provider === 'github') {
        res.writeHead(403, {
          'content-type': 'application/json',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
          'retry-after': '3600',
        });
        res.end('{"message":"API rate limit exceeded"}');
      } else {
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'ThrottlingException',
        });
        res.end('{"__type":"ThrottlingException","message":"Rate exceeded"}');
      }
      return;
    }
    if (mode === 'throttle-429' && provider === 'github') {
      drain();
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'retry-after': '3600',
      });
      res.end('{"message":"API rate limit exceeded"}');
      return;
    }
    if (mode === 'denied' && provider === 'aws') {
      drain();
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'AccessDeniedException',
      });
      res.end(
        '{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/stagecraft is not authorized to perform this action"}',
      );
      return;
    }
    if (mode === 'revoked') {
      drain();
      if (provider === 'github') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"message":"Bad credentials"}');
      } else {
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'ExpiredTokenException',
        });
        res.end(
          '{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}',
        );
      }
      return;
    }
    if (mode === 'slow') {
      // Passed through, each request a second late: a sync that lasts.
      req.pause();
      setTimeout(() => forward(req, res, mode), SLOW_MS);
      return;
    }
    forward(req, res, mode);
  });
  const forward = (req, res, mode) => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      up => {
        if (mode === 'malformed') {
          up.resume();
          res.writeHead(200, {
            'content-type': up.headers['content-type'] ?? 'application/json',
          });
          res.end('{"data": [ {"id": 1, "truncated');
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    modes,
    seen,
    /**
     * Sets some providers' modes; requests a `timeout` held are cut when it
     * ends. `scope` limits a provider's mode to the requests its predicate
     * (of the incoming request) picks: a fault on some calls of a sync only.
     */
    set(next, scope = {}) {
      for (const [provider, mode] of Object.entries(next)) {
        if (modes[provider] === 'timeout' && mode !== 'timeout') {
          for (const res of held[provider]) res.socket?.destroy();
          held[provider].clear();
        }
        modes[provider] = mode;
        if (scope[provider]) only[provider] = scope[provider];
        else delete only[provider];
        seen.faulted[provider] = 0;
        seen.passed[provider] = 0;
      }
    },
    close: () =>
      new Promise(r => {
        // What the providers were sent, for the secrets scan: proof that the
        // configured credentials were in use (so their absence elsewhere means something).
        const secrets = runSecrets();
        const auth = [...seen.authorization].join('\n');
        writeFileSync(
          join(runDir(), `proxy-${server.address().port}.json`),
          JSON.stringify({
            requests: seen.requests,
            githubTokenSent: auth.includes(secrets.githubToken),
            awsAccessKeySent: auth.includes(secrets.awsAccessKeyId),
          }),
        );
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------- backend

export const SANDBOX_ACCOUNT = '123456789012';
export const SNS_TOPIC =
  'arn:aws:sns:eu-west-1:123456789012:stagecraft-deployment-events';

/** YAML is a superset of JSON: the generated config is written as JSON. */
function backendConfig({
  port,
  database,
  providerUrl,
  sandboxUrl,
  schedule,
  catalogFile,
}) {
  const secrets = runSecrets();
  const base = `http://localhost:${port}`;
  const awsBase = `${providerUrl}/aws`;
  return {
    app: { baseUrl: base },
    ...(catalogFile
      ? {
          catalog: {
            locations: [
              ...[catalogFile].flat().map(target => ({ type: 'file', target })),
              {
                type: 'file',
                target: join(ROOT, 'examples/org.yaml'),
                rules: [{ allow: ['User', 'Group'] }],
              },
            ],
          },
        }
      : {}),
    backend: {
      baseUrl: base,
      listen: { port },
      cors: { origin: base },
      database,
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: { token: secrets.pushToken, subject: 'jenkins-ci' },
            accessRestrictions: [{ plugin: 'deployments' }],
          },
          {
            type: 'static',
            options: {
              token: secrets.serviceToken,
              subject: 'reliability-reader',
            },
          },
        ],
      },
    },
    auth: {
      providers: {
        guest: {
          userEntityRef: 'user:default/guest',
          dangerouslyAllowOutsideDevelopment: true,
        },
      },
    },
    integrations: {
      github: [
        {
          host: 'github.com',
          apiBaseUrl: `${providerUrl}/api/v3`,
          token: secrets.githubToken,
        },
      ],
    },
    aws: {
      accounts: [
        {
          accountId: SANDBOX_ACCOUNT,
          accessKeyId: secrets.awsAccessKeyId,
          secretAccessKey: secrets.awsSecretAccessKey,
        },
      ],
    },
    deployments: {
      schedule: schedule ?? {
        frequency: { seconds: 10 },
        timeout: { minutes: 2 },
        initialDelay: { seconds: 2 },
      },
      github: { webhookSecret: secrets.githubWebhookSecret },
      aws: {
        defaultAccountId: SANDBOX_ACCOUNT,
        defaultRegion: 'eu-west-1',
        endpoints: Object.fromEntries(
          [
            'codepipeline',
            'codedeploy',
            'cloudformation',
            'lambda',
            'cloudwatch',
            'tagging',
          ].map(s => [s, `${awsBase}/${s}`]),
        ),
        sns: {
          topicArns: [SNS_TOPIC],
          sandboxCertificateHost: sandboxUrl
            ? new URL(sandboxUrl).host
            : 'localhost:9',
        },
      },
      push: { sources: [{ id: 'jenkins', subject: 'jenkins-ci' }] },
    },
  };
}

/**
 * A catalog file with only some components of examples/entities.yaml (and
 * its systems): fewer targets, so a sync (and a provider's retries) is
 * shorter. Returns its path, for `startBackend({ catalogFile })`.
 */
export function catalogOf(name, components) {
  const { parseAllDocuments } = require('yaml');
  const documents = parseAllDocuments(
    readFileSync(join(ROOT, 'examples/entities.yaml'), 'utf8'),
  )
    .map(d => d.toJSON())
    .filter(
      e =>
        e && (e.kind !== 'Component' || components.includes(e.metadata.name)),
    );
  const missing = components.filter(
    c => !documents.some(e => e.metadata.name === c),
  );
  if (missing.length)
    throw new Error(`no component ${missing} in examples/entities.yaml`);
  const file = join(runDir(), `${name}.entities.yaml`);
  // YAML is a superset of JSON: one JSON document per YAML document.
  writeFileSync(file, documents.map(d => JSON.stringify(d)).join('\n---\n'));
  return file;
}

/** `backend.database` of a fresh SQLite folder for one backend. */
export function sqliteDatabase(dir) {
  mkdirSync(dir, { recursive: true });
  return { client: 'better-sqlite3', connection: { directory: dir } };
}

/**
 * Starts packages/backend (NODE_ENV=production) as a child process on `port`
 * with app-config.yaml and a generated config on top. Resolves once
 * /api/deployments/health answers and the catalog knows the components of
 * `waitFor` (payments-api); with `ownership`, its guest token is issued once
 * the catalog knows the guest's teams.
 */
export async function startBackend({
  name,
  port,
  database,
  providerUrl,
  sandboxUrl,
  schedule,
  catalogFile,
  waitFor = ['payments-api'],
  ownership = false,
  env = {},
}) {
  const dir = runDir();
  const configFile = join(dir, `${name}.config.yaml`);
  writeFileSync(
    configFile,
    JSON.stringify(
      backendConfig({
        port,
        database,
        providerUrl,
        sandboxUrl,
        schedule,
        catalogFile,
      }),
      null,
      2,
    ),
  );
  const logFile = join(dir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const secrets = runSecrets();
  const child = spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      'src/index.ts',
      '--config',
      join(ROOT, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: join(ROOT, 'packages', 'backend'),
      detached: true,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        // Present in the process like a deployed backend's role session; it
        // must never surface anywhere either.
        AWS_SESSION_TOKEN: secrets.awsSessionToken,
        GITHUB_TOKEN: secrets.githubToken,
        GITHUB_WEBHOOK_SECRET: secrets.githubWebhookSecret,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = false;
  const exit = new Promise(r =>
    child.on('exit', (code, signal) => {
      exited = true;
      r({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const backend = {
    name,
    url,
    api: `${url}/api/deployments`,
    logFile,
    child,
    get exited() {
      return exited;
    },
    exit,
    async stop(signal = 'SIGTERM') {
      if (exited) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (exited || Date.now() > deadline) {
      await backend.stop('SIGKILL');
      throw new Error(
        `backend ${name} did not start; last log lines:\n${readFileSync(
          logFile,
          'utf8',
        )
          .split('\n')
          .slice(-30)
          .join('\n')}`,
      );
    }
    try {
      const health = await fetch(`${backend.api}/health`);
      if (health.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(1000);
  }
  try {
    backend.token = await guestToken(url);
    for (const component of waitFor) {
      await eventually(
        `the catalog of ${name} to hold ${component}`,
        async () =>
          (
            await fetch(
              `${url}/api/catalog/entities/by-name/component/default/${component}`,
              {
                headers: { authorization: `Bearer ${backend.token}` },
              },
            )
          ).ok,
        180_000,
      );
    }
    if (ownership) {
      // A token issued before the catalog read the guest and its teams
      // carries no team: sign in again once it has them, so the guest owns
      // what team-payments owns (payments-api, ledger-worker).
      await eventually(
        `the catalog of ${name} to hold the guest's teams`,
        async () => {
          const r = await fetch(
            `${url}/api/catalog/entities/by-name/user/default/guest`,
            { headers: { authorization: `Bearer ${backend.token}` } },
          );
          return (
            r.ok && (await r.json()).relations?.some(x => x.type === 'memberOf')
          );
        },
        180_000,
      );
      backend.token = await guestToken(url);
    }
  } catch (error) {
    await backend.stop('SIGKILL'); // no backend left behind by a failed start
    throw error;
  }
  return backend;
}

/** A guest user token from the backend's guest provider. */
export async function guestToken(url) {
  const response = await call(`${url}/api/auth/guest/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
  });
  const token = response.json?.backstageIdentity?.token;
  if (!token)
    throw new Error(
      `guest sign-in answered ${response.status}: ${response.text}`,
    );
  return token;
}

/**
 * What a user sees of an entity through the API: its lanes and timeline,
 * without the sync status and the times the backend observed a traffic
 * split (its own clock, not a fact of the deployments).
 */
export async function entityState(backend, name) {
  const response = await call(
    `${backend.api}/entities/component/default/${name}/environments?include=timeline&timelineLimit=200`,
    { headers: { authorization: `Bearer ${backend.token}` } },
    `${backend.name} environments ${name}`,
  );
  if (response.status !== 200) {
    throw new Error(
      `${backend.name}: environments of ${name} answered ${response.status}: ${response.text}`,
    );
  }
  const { sync, ...rest } = response.json;
  const strip = (value, key) => {
    if (Array.isArray(value)) return value.map(v => strip(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !(key === 'traffic' && k === 'at'))
          .map(([k, v]) => [k, strip(v, k)]),
      );
    }
    return value;
  };
  return { state: strip(rest), sync };
}

/** The state of the scheduled sync task as the backend's scheduler reports it. */
export async function syncTask(backend) {
  const response = await call(
    `${backend.api}/.backstage/scheduler/v1/tasks`,
    { headers: { authorization: `Bearer ${backend.token}` } },
    `${backend.name} scheduler tasks`,
  );
  return response.json?.tasks?.find(t => t.taskId === 'deployments-sync');
}

// ---------------------------------------------------------------- database

/** The deployments plugin's SQLite file of a backend's database folder. */
export function deploymentsSqlite(dir) {
  return join(dir, 'deployments.sqlite');
}

/** Rows per table of the deployments plugin's SQLite database. */
export function sqliteRowCounts(file) {
  const Database = require('better-sqlite3');
  const db = new Database(file, {
    readonly: true,
    fileMustExist: true,
    timeout: 10_000,
  });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map(r => r.name);
    return Object.fromEntries(
      tables.map(t => [
        t,
        db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get().n,
      ]),
    );
  } finally {
    db.close();
  }
}

/** All rows of one table of a SQLite file. */
export function sqliteRows(file, table) {
  const Database = require('better-sqlite3');
  const db = new Database(file, {
    readonly: true,
    fileMustExist: true,
    timeout: 10_000,
  });
  try {
    return db.prepare(`SELECT * FROM "${table}"`).all();
  } finally {
    db.close();
  }
}

/** The PostgreSQL server the PostgreSQL parts of the suite use (RELIABILITY_PG_*). */
export const PG = {
  host: process.env.RELIABILITY_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.RELIABILITY_PG_PORT ?? 5432),
  user: process.env.RELIABILITY_PG_USER ?? 'postgres',
  ...(process.env.RELIABILITY_PG_PASSWORD
    ? { password: process.env.RELIABILITY_PG_PASSWORD }
    : {}),
};

/**
 * Whether the PostgreSQL server answers. Without one the PostgreSQL files
 * skip (as the unit tests' PostgreSQL half does in .ci/run), unless
 * RELIABILITY_REQUIRE_PG=1, which makes its absence a failure.
 */
export async function pgAvailable() {
  if (process.env.RELIABILITY_REQUIRE_PG === '1') return true;
  const { Client } = require('pg');
  const client = new Client({
    ...PG,
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const NO_PG = `no PostgreSQL on ${PG.host}:${PG.port} (RELIABILITY_PG_*; RELIABILITY_REQUIRE_PG=1 makes this a failure)`;

/**
 * A fresh PostgreSQL database for one test file (dropped by `drop()`), its
 * backends' `backend.database` (every plugin in its own schema of it), and
 * queries on the deployments plugin's schema.
 */
export async function createPgDatabase(label) {
  const { Client, Pool } = require('pg');
  const name = `stagecraft_rel_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ ...PG, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const pool = new Pool({ ...PG, database: name, max: 3 });
  pool.on('error', () => {}); // a connection PostgreSQL closed; the next query gets a new one
  const query = async (sql, params) => (await pool.query(sql, params)).rows;
  return {
    name,
    config: {
      client: 'pg',
      pluginDivisionMode: 'schema',
      connection: { ...PG, database: name },
    },
    query,
    /** All rows of a table of the deployments plugin. */
    rows: table => query(`SELECT * FROM deployments."${table}"`),
    /** Rows per table of the deployments plugin's schema. */
    async counts() {
      const tables = await query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'deployments' AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
      const counts = {};
      for (const { table_name: t } of tables) {
        counts[t] = Number(
          (await query(`SELECT COUNT(*) AS n FROM deployments."${t}"`))[0].n,
        );
      }
      return counts;
    },
    async drop() {
      await pool.end().catch(() => {});
      const client = new Client({ ...PG, database: 'postgres' });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Keeps a backend's audit rows in the run folder for the secrets scan. */
export function keepAuditRows(name, rows) {
  writeFileSync(
    join(runDir(), `audit-${name}.json`),
    JSON.stringify(rows, null, 2),
  );
}

/** Waits until the row counts stay the same for `quietMs`. */
export async function settledCounts(count, quietMs = 12_000) {
  let last = JSON.stringify(await count());
  let since = Date.now();
  return eventually(
    'the store to settle',
    async () => {
      const now = await count();
      const key = JSON.stringify(now);
      if (key !== last) {
        last = key;
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= quietMs ? now : undefined;
    },
    180_000,
    2000,
  );
}

// ---------------------------------------------------------------- signing

/** GitHub's X-Hub-Signature-256 of a body. */
export function githubSignature(secret, body) {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}
