import { spawnSync } from 'node:child_process';

/** The Python 3 interpreter on this machine, or undefined when there is none. */
export function findPython(): string | undefined {
  for (const candidate of ['python3', 'python']) {
    const probe = spawnSync(
      candidate,
      ['-c', 'import sys; print(sys.version_info[0])'],
      {
        encoding: 'utf8',
      },
    );
    if (probe.status === 0 && probe.stdout.trim() === '3') return candidate;
  }
  return undefined;
}
