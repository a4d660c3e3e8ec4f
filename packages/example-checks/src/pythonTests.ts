import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The two ways the example's tests must run: standard library and pytest. */
export type PythonTestRunner = 'unittest' | 'pytest';

export interface PythonTestRun {
  passed: boolean;
  /** How many tests ran, read from the runner's summary (0 when unreadable). */
  testsRun: number;
  output: string;
}

/** Whether `python` can import `module` (for example pytest, which is optional). */
export function hasPythonModule(python: string, module: string): boolean {
  return (
    spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' })
      .status === 0
  );
}

function countTests(runner: PythonTestRunner, output: string): number {
  if (runner === 'unittest') {
    return Number(/^Ran (\d+) tests? in /m.exec(output)?.[1] ?? 0);
  }
  // pytest's summary, e.g. "31 passed, 2 failed in 1.2s"
  const counts = [...output.matchAll(/(\d+) (passed|failed|error)/g)];
  return counts.reduce((sum, [, n]) => sum + Number(n), 0);
}

/**
 * Runs a Python project's tests (code in `src/`, tests in `tests/`), the way
 * its README says, without leaving caches or bytecode in the checkout.
 */
export function runPythonTests(options: {
  python: string;
  projectDir: string;
  runner: PythonTestRunner;
}): PythonTestRun {
  const { python, projectDir, runner } = options;
  const args =
    runner === 'unittest'
      ? ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.']
      : ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', 'tests'];
  const result = spawnSync(python, args, {
    cwd: projectDir,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      PYTHONPATH: join(projectDir, 'src'),
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${
    result.error ? String(result.error) : ''
  }`;
  return {
    passed: result.status === 0,
    testsRun: countTests(runner, output),
    output,
  };
}
