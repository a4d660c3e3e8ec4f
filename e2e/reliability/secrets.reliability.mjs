// The secrets scan, last of the suite: across everything the run produced —
// every backend's stdout and stderr, every response body (and header) the
// suite received, and the audit_log rows of every backend's database — no
// GitHub token, webhook secret, AWS access key id, secret key or session
// token, or external access token appears. And every error response the
// backends gave (all in production mode) is free of a stack trace.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDir } from './harness.mjs';

const dir = runDir();
const STACK = /\n\s+at [^\n]+\(|"stack"\s*:|\\n\s+at [^\\]+\(|node_modules\//;

/** The forms a secret could leak in: as is, base64 (a Basic header), URL-encoded. */
function formsOf(value) {
  return [
    value,
    Buffer.from(value).toString('base64'),
    encodeURIComponent(value),
  ].filter((f, i, all) => all.indexOf(f) === i);
}

/** Where each secret appears in the sources: [{ secret, source, line }]. */
function scan(secrets, sources) {
  const found = [];
  for (const [name, value] of Object.entries(secrets)) {
    for (const form of formsOf(value)) {
      for (const { source, text } of sources) {
        const at = text.indexOf(form);
        if (at >= 0) {
          const line = text.slice(0, at).split('\n').length;
          found.push({
            secret: name,
            source,
            line,
            excerpt: text.slice(Math.max(0, at - 60), at).replace(/\s+/g, ' '),
          });
        }
      }
    }
  }
  return found;
}

function sourcesOfRun() {
  const files = readdirSync(dir);
  const sources = [];
  for (const f of files.filter(f => f.endsWith('.log'))) {
    sources.push({
      source: `${f} (backend stdout/stderr)`,
      text: readFileSync(join(dir, f), 'utf8'),
    });
  }
  if (existsSync(join(dir, 'responses.jsonl'))) {
    const lines = readFileSync(join(dir, 'responses.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean);
    sources.push({
      source: 'responses.jsonl (every response received)',
      text: lines.join('\n'),
    });
  }
  for (const f of files.filter(
    f => f.startsWith('audit-') && f.endsWith('.json'),
  )) {
    sources.push({
      source: `${f} (audit_log rows)`,
      text: readFileSync(join(dir, f), 'utf8'),
    });
  }
  return sources;
}

test('the scan finds a secret planted in a log, so its silence below means something', () => {
  const secrets = { token: 'ghp_planted0123456789' };
  const found = scan(secrets, [
    { source: 'clean', text: 'nothing here\n' },
    {
      source: 'leaky',
      text: `line one\nauthorization: token ${secrets.token}\n`,
    },
    { source: 'basic', text: Buffer.from(secrets.token).toString('base64') },
  ]);
  assert.deepEqual(
    found.map(f => [f.source, f.line]),
    [
      ['leaky', 2],
      ['basic', 1],
    ],
  );
});

test('no token, webhook secret, AWS key or session token in any log, response or audit row of the run', () => {
  const secretsFile = join(dir, 'secrets.json');
  assert.ok(
    existsSync(secretsFile),
    `no secrets.json in ${dir}: run the suite with npm run test:reliability`,
  );
  const secrets = JSON.parse(readFileSync(secretsFile, 'utf8'));
  const sources = sourcesOfRun();
  const logs = sources.filter(s => s.source.includes('.log'));
  const responses = sources.find(s => s.source.startsWith('responses'));
  assert.ok(
    logs.length >= 1 && responses,
    'the run left backend logs and recorded responses to scan',
  );
  const proxies = readdirSync(dir)
    .filter(f => f.startsWith('proxy-'))
    .map(f => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  assert.ok(
    proxies.some(p => p.githubTokenSent) &&
      proxies.some(p => p.awsAccessKeySent),
    'the backends used the configured GitHub token and AWS key (seen by the fault proxy)',
  );
  const audits = sources.filter(s => s.source.startsWith('audit-'));
  const auditRows = audits.reduce((n, s) => n + JSON.parse(s.text).length, 0);
  console.log(
    `[secrets] scanned ${logs.length} backend logs (${logs.reduce(
      (n, s) => n + s.text.length,
      0,
    )} chars), ` +
      `${
        responses.text.split('\n').length
      } responses, ${auditRows} audit rows for ${
        Object.keys(secrets).length
      } secrets`,
  );
  const found = scan(secrets, sources);
  assert.deepEqual(
    found.map(
      f => `${f.secret} in ${f.source}, line ${f.line}, after '…${f.excerpt}'`,
    ),
    [],
    'secrets that appeared',
  );
});

test('no error response of the production-mode backends carries a stack trace', () => {
  const file = join(dir, 'responses.jsonl');
  assert.ok(existsSync(file), 'recorded responses');
  const errors = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(l => JSON.parse(l))
    .filter(r => r.status >= 400);
  assert.ok(
    errors.length >= 100,
    `enough error responses to judge (${errors.length})`,
  );
  const withStack = errors.filter(r => STACK.test(r.body));
  console.log(
    `[secrets] ${errors.length} error responses checked for stack traces`,
  );
  assert.deepEqual(
    withStack
      .slice(0, 5)
      .map(r => `${r.where}: ${r.status} ${r.body.slice(0, 300)}`),
    [],
  );
});
