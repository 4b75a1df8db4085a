/**
 * The extension-host test runner: VS Code (code-server through the `payload` URL parameter,
 * or desktop VS Code through @vscode/test-electron) loads this file and calls `run()`.
 * It runs the mocha suites beside it and writes the outcome to the file named by
 * STARSYSTEM_HOST_TEST_RESULT, because code-server does not hand an exit code back.
 */
import { writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export interface HostTestResult {
  passed: string[];
  failed: { title: string; error: string }[];
  pending: string[];
  done: boolean;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 120_000, color: false, reporter: 'spec' });
  const suites = readdirSync(__dirname).filter((f) => f.endsWith('.suite.js')).sort();
  const filter = process.env.STARSYSTEM_HOST_TEST_GREP;
  if (filter) mocha.grep(filter);
  for (const file of suites) mocha.addFile(join(__dirname, file));
  const result: HostTestResult = { passed: [], failed: [], pending: [], done: false };
  const resultFile = process.env.STARSYSTEM_HOST_TEST_RESULT;
  const save = () => {
    if (resultFile) writeFileSync(resultFile, JSON.stringify(result, null, 2));
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        result.done = true;
        save();
        if (failures > 0) reject(new Error(`${failures} extension-host test${failures === 1 ? '' : 's'} failed.`));
        else resolve();
      });
      runner.on('pass', (t) => result.passed.push(t.fullTitle()));
      runner.on('fail', (t, error: Error) => result.failed.push({ title: t.fullTitle(), error: error?.stack ?? String(error) }));
      runner.on('pending', (t) => result.pending.push(t.fullTitle()));
    } catch (error) {
      result.failed.push({ title: 'loading the suites', error: (error as Error).stack ?? String(error) });
      result.done = true;
      save();
      reject(error);
    }
  });
}
