import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'authly-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to a fresh file in this test file's temp folder and returns its path. */
export function writeTempFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A path inside the temp folder that does not exist. */
export function missingPath(name: string): string {
  return join(dir, name);
}
