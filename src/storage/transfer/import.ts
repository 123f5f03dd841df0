import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { emptyAdoptionStats } from './authly-origin.js';
import { parseHeader } from './dump-format.js';
import type { DumpHeader, DumpTable, DumpTrailer } from './dump-format.js';
import type { Endpoint } from './endpoint.js';
import { TransferError } from './errors.js';
import { readLines } from './lines.js';
import type { Line } from './lines.js';
import { loadContext, loadTable, planTable, prepareTarget } from './load.js';
import type { LoadContext, TablePlan, WriteOptions } from './load.js';
import { openTarget } from './open.js';
import type { TableCount } from './progress.js';
import { finishTransfer } from './report.js';
import type { TransferReport } from './report.js';
import { READ_BATCH } from './source.js';
import type { WireRow } from './values.js';
import { assertKnownVersion } from './version.js';
import type { SchemaVersion } from './version.js';

/** Options of {@link importDump}. */
export interface ImportOptions extends WriteOptions {
  file: string;
  target: Endpoint;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** The file's bytes, gunzipped when it starts with gzip's magic number (whatever its name). */
function openDumpStream(file: string): Readable {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new TransferError(`cannot read ${file}: ${reason}`, { cause: err });
  }
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  const input = fs.createReadStream(file, { fd, start: 0 });
  if (!magic.equals(GZIP_MAGIC)) return input;
  const gunzip = zlib.createGunzip();
  input.on('error', (err) => gunzip.destroy(err));
  return input.pipe(gunzip);
}

/**
 * Reads a dump line by line with one line of look-ahead, and turns every way a file can be
 * cut or damaged into one TransferError naming it.
 */
class DumpLines {
  readonly #file: string;
  readonly #lines: AsyncIterator<Line>;
  #pushedBack: Line | undefined;
  lineNumber = 0;

  constructor(file: string, stream: Readable) {
    this.#file = file;
    this.#lines = readLines(stream)[Symbol.asyncIterator]();
  }

  async next(): Promise<string> {
    const line = this.#pushedBack ?? (await this.#read());
    this.#pushedBack = undefined;
    if (line === undefined || !line.complete) throw new TransferError(`${this.#file} is truncated: it ends before its closing line`);
    this.lineNumber++;
    return line.text;
  }

  pushBack(text: string): void {
    this.lineNumber--;
    this.#pushedBack = { text, complete: true };
  }

  async atEnd(): Promise<boolean> {
    return (await this.#read()) === undefined;
  }

  damaged(reason: string): TransferError {
    return new TransferError(`${this.#file} is damaged at line ${this.lineNumber}: ${reason}`);
  }

  async #read(): Promise<Line | undefined> {
    try {
      const result = await this.#lines.next();
      return result.done === true ? undefined : result.value;
    } catch (err) {
      throw new TransferError(`${this.#file} is truncated or damaged: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** One table's row lines: batches of parsed rows, hashed as they pass. */
async function* sectionRows(lines: DumpLines, table: DumpTable, hash: ReturnType<typeof createHash>, batchSize: number): AsyncGenerator<WireRow[]> {
  let batch: WireRow[] = [];
  for (;;) {
    const text = await lines.next();
    if (text.startsWith('{')) {
      lines.pushBack(text);
      break;
    }
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      throw lines.damaged('not a JSON row');
    }
    if (!Array.isArray(row) || row.length !== table.columns.length) throw lines.damaged(`a ${table.name} row must have ${table.columns.length} values`);
    hash.update(`${text}\n`);
    batch.push(row);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function parseControl(lines: DumpLines, text: string): { table: string } | DumpTrailer {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && ('table' in value || 'end' in value)) return value as { table: string } | DumpTrailer;
  } catch {
    // reported below
  }
  throw lines.damaged('expected a table or closing line');
}

/** Compares what was read with the header and the closing line. */
function checkTrailer(file: string, header: DumpHeader, trailer: DumpTrailer, seen: Map<string, { rows: number; sha256: string }>): void {
  for (const table of header.tables) {
    const read = seen.get(table.name) ?? { rows: 0, sha256: createHash('sha256').digest('hex') };
    const claimed = trailer.end[table.name];
    if (claimed === undefined || claimed.rows !== read.rows || claimed.sha256 !== read.sha256 || table.rows !== read.rows) {
      throw new TransferError(`${file} is damaged: table ${table.name} does not match its closing line (${read.rows} rows read, ${claimed?.rows ?? 'none'} recorded)`);
    }
  }
}

/** Every section of the dump into the target, in file order. */
async function loadSections(file: string, lines: DumpLines, header: DumpHeader, plans: Map<string, TablePlan>, context: LoadContext, batchSize: number): Promise<TableCount[]> {
  const seen = new Map<string, { rows: number; sha256: string }>();
  const counts: TableCount[] = [];
  for (;;) {
    const control = parseControl(lines, await lines.next());
    if ('end' in control) {
      if (!(await lines.atEnd())) throw lines.damaged('text after the closing line');
      checkTrailer(file, header, control, seen);
      return counts;
    }
    const table = header.tables.find((candidate) => candidate.name === control.table);
    const plan = plans.get(control.table);
    if (table === undefined || plan === undefined || seen.has(table.name)) throw lines.damaged(`unexpected table ${String(control.table)}`);
    const hash = createHash('sha256');
    const columns = table.columns.map(([name, kind]) => ({ name, kind }));
    const count = await loadTable(context, { name: table.name, columns, total: table.rows, batches: sectionRows(lines, table, hash, batchSize) }, plan);
    seen.set(table.name, { rows: count.rows, sha256: hash.digest('hex') });
    counts.push(count);
  }
}

/**
 * Imports a dump into any backend: the header is checked before the target is touched; the
 * target is then migrated and written in one transaction that commits only once the closing
 * line has confirmed every table's row count and checksum.
 *
 * @throws TransferError with a one-line reason; the target is then exactly as it was.
 */
export async function importDump(options: ImportOptions): Promise<TransferReport> {
  const started = performance.now();
  const stream = openDumpStream(options.file);
  try {
    return await importFrom(stream, options, started);
  } finally {
    stream.destroy();
  }
}

async function importFrom(stream: Readable, options: ImportOptions, started: number): Promise<TransferReport> {
  const lines = new DumpLines(options.file, stream);
  const header = parseHeader(await lines.next().catch(() => undefined), options.file);
  const sourceVersion: SchemaVersion = { origin: header.origin, migration: header.schema_version };
  assertKnownVersion(sourceVersion, options.file);
  const target = await openTarget(options.target);
  try {
    const plans = new Map(
      header.tables.map((table) => [table.name, planTable(target, table.name, table.columns.map(([name, kind]) => ({ name, kind })), header.dialect)]),
    );
    const preparation = await prepareTarget(target, options.mode);
    const adoption = emptyAdoptionStats();
    const context = loadContext(target, header.dialect, header.origin, adoption, options);
    const tables = await loadSections(options.file, lines, header, plans, context, options.batchSize ?? READ_BATCH);
    return await finishTransfer(target, { label: options.file, dialect: header.dialect, version: sourceVersion }, { tables, preparation, adoption, started }, options);
  } finally {
    await target.abandon();
  }
}
