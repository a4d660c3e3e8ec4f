// `npm run test:reliability`: the reliability suite (docs/reliability.md).
// Picks the run's seed (RELIABILITY_SEED to repeat one) and folder
// (RELIABILITY_RUN_DIR, else a fresh temporary one, kept when a test fails),
// then runs the suite's files one at a time, in this order: the secrets scan
// comes last because it reads what the others produced.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FILES = [
  'fuzz.reliability.mjs',
  'webhooks.reliability.mjs',
  'faults.reliability.mjs',
  'replicas.reliability.mjs',
  'crash.reliability.mjs',
  'secrets.reliability.mjs',
];
const only = process.argv.slice(2);
const files = (
  only.length ? FILES.filter(f => only.some(o => f.startsWith(o))) : FILES
).filter(f => existsSync(join(import.meta.dirname, f)));
const seed =
  process.env.RELIABILITY_SEED || String(randomBytes(4).readUInt32BE(0));
const keep = Boolean(process.env.RELIABILITY_RUN_DIR);
const dir =
  process.env.RELIABILITY_RUN_DIR ||
  mkdtempSync(join(tmpdir(), 'stagecraft-reliability-'));
console.log(
  `[reliability] seed ${seed} (RELIABILITY_SEED=${seed} repeats it); run folder ${dir}`,
);
const started = Date.now();
// One node --test per file, in order (--test-concurrency=1 alone does not
// keep the secrets scan after the others on Node 20); stop at the first red file
// unless RELIABILITY_KEEP_GOING=1.
let status = 0;
for (const file of files) {
  const result = spawnSync(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      '--test',
      join(import.meta.dirname, file),
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, RELIABILITY_SEED: seed, RELIABILITY_RUN_DIR: dir },
    },
  );
  if (result.status !== 0) {
    status = result.status ?? 1;
    if (process.env.RELIABILITY_KEEP_GOING !== '1') break;
  }
}
console.log(
  `[reliability] ${files.length} file(s) in ${Math.round(
    (Date.now() - started) / 1000,
  )} s`,
);
if (status === 0 && !keep) rmSync(dir, { recursive: true, force: true });
else if (status !== 0)
  console.log(`[reliability] logs, responses and audit rows kept in ${dir}`);
process.exit(status);
