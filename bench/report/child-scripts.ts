/**
 * Transpiles the report's child scripts to plain JavaScript that imports the built server from
 * `dist/` (so the child runs what `authly serve` runs, with no TypeScript loader in its memory).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { ROOT } from '../http/servers.js';

const OUT = path.join(ROOT, 'node_modules', '.cache', 'authly-bench-report');
const DIST = pathToFileURL(path.join(ROOT, 'dist')).href;

/** Transpiles `files` of `bench/report/` and returns the path of the first one's output. */
export function compileChild(files: string[]): string {
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'package.json'), '{ "type": "module" }\n');
  for (const file of files) {
    const source = fs.readFileSync(path.join(ROOT, 'bench', 'report', file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    fs.writeFileSync(path.join(OUT, file.replace(/\.ts$/, '.js')), outputText.replaceAll(`'../../src/`, `'${DIST}/`));
  }
  return path.join(OUT, files[0]!.replace(/\.ts$/, '.js'));
}
