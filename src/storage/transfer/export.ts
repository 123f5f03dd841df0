import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { assertReadableSource } from './copy.js';
import { DUMP_FORMAT, DUMP_FORMAT_VERSION } from './dump-format.js';
import type { DumpHeader, DumpTrailer } from './dump-format.js';
import type { Endpoint } from './endpoint.js';
import { TransferError } from './errors.js';
import { openSource } from './open.js';
import { yieldToEventLoop } from './progress.js';
import type { ProgressListener } from './progress.js';
import { READ_BATCH } from './source.js';
import type { SourceDatabase } from './source.js';
import { encodeForDump } from './values.js';

/** Options of {@link exportDatabase}. */
export interface ExportOptions {
  source: Endpoint;
  /** The dump file; gzip-compressed when the name ends in `.gz`. Replaced atomically. */
  file: string;
  /** Count the rows and write nothing. */
  dryRun?: boolean;
  progress?: ProgressListener;
  signal?: AbortSignal;
  batchSize?: number;
  /** The `exported_at` stamp. */
  now?: Date;
}

/** What an export wrote. */
export interface ExportReport {
  source: string;
  file: string;
  header: DumpHeader;
  bytes: number;
  dryRun: boolean;
  seconds: number;
}

/** Writes with backpressure: waits for `drain` when the stream's buffer is full. */
async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function buildHeader(source: SourceDatabase, now: Date): Promise<DumpHeader> {
  const tables = [];
  for (const table of source.schema.tables) {
    tables.push({ name: table.name, columns: table.columns.map((column): [string, typeof column.kind] => [column.name, column.kind]), rows: await source.count(table) });
  }
  return {
    format: DUMP_FORMAT,
    format_version: DUMP_FORMAT_VERSION,
    schema_version: source.version.migration!,
    origin: source.version.origin === 'authly-python' ? 'authly-python' : 'authly',
    dialect: source.dialect,
    exported_at: now.toISOString(),
    tables,
  };
}

async function writeTables(source: SourceDatabase, header: DumpHeader, sink: Writable, options: ExportOptions): Promise<DumpTrailer> {
  const trailer: DumpTrailer = { end: {} };
  for (const table of source.schema.tables) {
    const total = header.tables.find((entry) => entry.name === table.name)?.rows;
    options.progress?.({ phase: 'start', table: table.name, done: 0, total });
    await write(sink, `${JSON.stringify({ table: table.name })}\n`);
    const hash = createHash('sha256');
    const kinds = table.columns.map((column) => column.kind);
    let rows = 0;
    for await (const batch of source.rows(table, options.batchSize ?? READ_BATCH)) {
      if (options.signal?.aborted) throw new TransferError('interrupted; no dump was written');
      let text = '';
      for (const row of batch) {
        text += `${JSON.stringify(row.map((value, i) => encodeForDump(kinds[i]!, value)))}\n`;
      }
      hash.update(text);
      await write(sink, text);
      rows += batch.length;
      options.progress?.({ phase: 'rows', table: table.name, done: rows, total });
      await yieldToEventLoop();
    }
    trailer.end[table.name] = { rows, sha256: hash.digest('hex') };
    options.progress?.({ phase: 'done', table: table.name, done: rows, total });
  }
  return trailer;
}

/**
 * Writes every table of the source, read in one consistent snapshot, to a portable dump,
 * streaming batch by batch. The file appears under its name only once complete: it is written
 * beside it under a hidden name and renamed at the end.
 *
 * @throws TransferError with a one-line reason; no file is left behind then.
 */
export async function exportDatabase(options: ExportOptions): Promise<ExportReport> {
  const started = performance.now();
  const source = await openSource(options.source);
  try {
    assertReadableSource(source);
    const header = await buildHeader(source, options.now ?? new Date());
    const report = (bytes: number): ExportReport => ({
      source: source.label,
      file: options.file,
      header,
      bytes,
      dryRun: options.dryRun === true,
      seconds: (performance.now() - started) / 1000,
    });
    if (options.dryRun === true) return report(0);
    const partial = path.join(path.dirname(options.file), `.${path.basename(options.file)}.${randomBytes(4).toString('hex')}.partial`);
    let out: fs.WriteStream;
    try {
      // The dump holds password and client-secret hashes: readable by its owner only.
      out = fs.createWriteStream(partial, { flags: 'wx', mode: 0o600 });
      await once(out, 'open');
    } catch (err) {
      throw new TransferError(`cannot write ${options.file}: ${(err as Error).message}`, { cause: err });
    }
    const gzip = options.file.endsWith('.gz') ? zlib.createGzip() : undefined;
    if (gzip !== undefined) gzip.pipe(out);
    const sink: Writable = gzip ?? out;
    // A write error (a full disk) is remembered and reported, instead of crashing the process.
    let failure: Error | undefined;
    for (const stream of [out, gzip]) stream?.on('error', (err: Error) => (failure ??= err));
    try {
      await write(sink, `${JSON.stringify(header)}\n`);
      const trailer = await writeTables(source, header, sink, options);
      await write(sink, `${JSON.stringify(trailer)}\n`);
      sink.end();
      await once(out, 'close');
      if (failure !== undefined) throw new TransferError(`cannot write ${options.file}: ${failure.message}`, { cause: failure });
      fs.renameSync(partial, options.file);
      return report(fs.statSync(options.file).size);
    } catch (err) {
      gzip?.destroy();
      out.destroy();
      fs.rmSync(partial, { force: true });
      throw err;
    }
  } finally {
    await source.close();
  }
}
