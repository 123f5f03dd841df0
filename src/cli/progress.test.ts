import { describe, expect, it } from 'vitest';
import { plainProgress } from './progress.js';

describe('plainProgress', () => {
  it("prints a table's first batch, then at most a line every two seconds, then its total", () => {
    const lines: string[] = [];
    let now = 0;
    const view = plainProgress((line) => lines.push(line), () => now);
    view.listener({ phase: 'start', table: 'users', done: 0, total: 4000 });
    now = 1000;
    view.listener({ phase: 'rows', table: 'users', done: 1000, total: 4000 });
    now = 1500;
    view.listener({ phase: 'rows', table: 'users', done: 1500, total: 4000 });
    now = 3100;
    view.listener({ phase: 'rows', table: 'users', done: 3100, total: 4000 });
    now = 4000;
    view.listener({ phase: 'done', table: 'users', done: 4000, total: 4000 });
    expect(lines).toEqual([
      'users: 1,000/4,000 rows, 1,000 rows/s, ETA 3s',
      'users: 3,100/4,000 rows, 1,000 rows/s, ETA 1s',
      'users: 4,000 rows in 4.0s (1,000 rows/s)',
    ]);
  });
});
