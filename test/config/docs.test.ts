import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const EXAMPLE = fileURLToPath(new URL('../../config.example.yaml', import.meta.url));

/** Dotted paths of every leaf key of the configuration. */
function leafPaths(node: unknown, prefix = ''): string[] {
  if (node === null || typeof node !== 'object') return [prefix];
  return Object.entries(node).flatMap(([key, value]) => leafPaths(value, prefix ? `${prefix}.${key}` : key));
}

const defaults = loadConfig({ env: {} });

describe('configuration documentation', () => {
  it.each(leafPaths(defaults))('the README reference documents %s with its generic variable', (path) => {
    const row = README.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));
    expect(row, `README row for ${path}`).toBeDefined();
    expect(row).toContain(`AUTHLY_${path.toUpperCase().replaceAll('.', '__')}`);
  });

  it('config.example.yaml lists every key with its default value', () => {
    const example = loadConfig({ env: {}, flags: { config: EXAMPLE } });
    expect(example).toEqual(defaults);
    const text = readFileSync(EXAMPLE, 'utf8');
    for (const path of leafPaths(defaults)) {
      const key = path.split('.').at(-1) ?? path;
      expect(text, `config.example.yaml mentions ${path}`).toMatch(new RegExp(`^\\s*${key}:`, 'm'));
    }
  });
});
