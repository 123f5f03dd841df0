import type { Reporter, RunnerTask, RunnerTestFile } from 'vitest';

function collect(tasks: RunnerTask[], counts: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      collect(task.tasks, counts);
      continue;
    }
    const state = task.result?.state;
    if (state === 'pass') counts.passed += 1;
    else if (state === 'fail') counts.failed += 1;
    else counts.skipped += 1;
  }
}

/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after Vitest's own summary, so
 * CI can tell how many tests ran whatever runner it knows.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    collect(files, counts);
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
