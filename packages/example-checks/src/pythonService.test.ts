import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON_SERVICE_DIR } from './examples';
import { findPython } from './python';
import { hasPythonModule, runPythonTests } from './pythonTests';

// The example's tests are Python; this machine may have none. Then the tests
// below are reported as skipped, with the reason in their names, never as
// passed.
const python = findPython();
const withPytest = python !== undefined && hasPythonModule(python, 'pytest');
const skipReason = (what: string) => `(skipped: ${what})`;

if (!python) {
  // eslint-disable-next-line no-console
  console.warn(
    'example-checks: no Python 3 interpreter (python3 or python) on PATH; the python-service unit tests are skipped',
  );
}

const ifPython = python ? it : it.skip;
const ifPytest = withPytest ? it : it.skip;

describe('python-service unit tests', () => {
  ifPython(
    `pass under the standard library's unittest ${
      python ? '' : skipReason('no python3 on PATH')
    }`.trim(),
    () => {
      const run = runPythonTests({
        python: python!,
        projectDir: PYTHON_SERVICE_DIR,
        runner: 'unittest',
      });
      expect({ passed: run.passed, output: run.output }).toEqual({
        passed: true,
        output: expect.stringMatching(/^OK$/m),
      });
      expect(run.testsRun).toBeGreaterThanOrEqual(20);
    },
    120_000,
  );

  ifPytest(
    `pass under pytest ${
      withPytest ? '' : skipReason('pytest is not importable by python3')
    }`.trim(),
    () => {
      const run = runPythonTests({
        python: python!,
        projectDir: PYTHON_SERVICE_DIR,
        runner: 'pytest',
      });
      expect({ passed: run.passed, output: run.output }).toEqual({
        passed: true,
        output: expect.stringMatching(/\d+ passed/),
      });
      expect(run.testsRun).toBeGreaterThanOrEqual(20);
    },
    120_000,
  );
});

describe('runPythonTests', () => {
  let projectDir: string;

  beforeAll(() => {
    projectDir = mkdtempSync(join(tmpdir(), 'example-checks-'));
    mkdirSync(join(projectDir, 'src'));
    mkdirSync(join(projectDir, 'tests'));
    writeFileSync(join(projectDir, 'src', 'answer.py'), 'ANSWER = 41\n');
    writeFileSync(join(projectDir, 'tests', '__init__.py'), '');
    writeFileSync(
      join(projectDir, 'tests', 'test_answer.py'),
      [
        'import unittest',
        'from answer import ANSWER',
        'class AnswerTest(unittest.TestCase):',
        '    def test_is_42(self):',
        '        self.assertEqual(ANSWER, 42)',
        '    def test_is_positive(self):',
        '        self.assertGreater(ANSWER, 0)',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

  ifPython('reports a failing unittest run with its output', () => {
    const run = runPythonTests({
      python: python!,
      projectDir,
      runner: 'unittest',
    });
    expect(run.passed).toBe(false);
    expect(run.testsRun).toBe(2);
    expect(run.output).toContain('AssertionError: 41 != 42');
  });

  ifPytest('reports a failing pytest run with its output', () => {
    const run = runPythonTests({
      python: python!,
      projectDir,
      runner: 'pytest',
    });
    expect(run.passed).toBe(false);
    expect(run.testsRun).toBe(2);
    expect(run.output).toMatch(/1 failed, 1 passed/);
  });
});
