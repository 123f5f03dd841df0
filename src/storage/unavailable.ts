import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';
import { StorageUnavailableError } from '../repositories/errors.js';

/** Decides whether a driver error means "the database is unreachable or busy" (not a bad query). */
export type UnavailableClassifier = (error: unknown) => boolean;

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/**
 * Rethrows `error`, as a {@link StorageUnavailableError} (the driver error as its `cause`) when
 * `classify` says it is a connection-level failure, unchanged otherwise.
 */
function rethrow(error: unknown, classify: UnavailableClassifier, engine: string): never {
  if (error instanceof StorageUnavailableError || !classify(error)) throw error;
  throw new StorageUnavailableError(`${engine} unavailable: ${firstLine(error)}`, { cause: error });
}

async function mapped<T>(work: () => Promise<T>, classify: UnavailableClassifier, engine: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    rethrow(error, classify, engine);
  }
}

/** A connection whose query errors are classified; `inner` is what the wrapped driver handed out. */
class MappedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  readonly #classify: UnavailableClassifier;
  readonly #engine: string;

  constructor(inner: DatabaseConnection, classify: UnavailableClassifier, engine: string) {
    this.inner = inner;
    this.#classify = classify;
    this.#engine = engine;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return mapped(() => this.inner.executeQuery<R>(compiledQuery), this.#classify, this.#engine);
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      rethrow(error, this.#classify, this.#engine);
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof MappedConnection ? connection.inner : connection;
}

/** Delegates to the dialect's driver and classifies every error it raises (see `withUnavailableErrors`). */
class MappedDriver implements Driver {
  readonly #inner: Driver;
  readonly #classify: UnavailableClassifier;
  readonly #engine: string;

  constructor(inner: Driver, classify: UnavailableClassifier, engine: string) {
    this.#inner = inner;
    this.#classify = classify;
    this.#engine = engine;
  }

  #run<T>(work: () => Promise<T>): Promise<T> {
    return mapped(work, this.#classify, this.#engine);
  }

  init(): Promise<void> {
    return this.#run(() => this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#run(() => this.#inner.acquireConnection());
    return new MappedConnection(connection, this.#classify, this.#engine);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#run(() => this.#inner.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#run(() => this.#inner.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#run(() => this.#inner.rollbackTransaction(unwrap(connection)));
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#run(() => this.#savepoints('savepoint')(unwrap(connection), name, compile));
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#run(() => this.#savepoints('rollbackToSavepoint')(unwrap(connection), name, compile));
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#run(() => this.#savepoints('releaseSavepoint')(unwrap(connection), name, compile));
  }

  /** Both our dialects implement savepoints; a driver without them fails loudly rather than silently. */
  #savepoints(method: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint') {
    const fn = this.#inner[method];
    if (fn === undefined) throw new Error(`the ${this.#engine} driver does not support ${method}`);
    return fn.bind(this.#inner);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/**
 * The dialect with its driver's connection-level failures (as `classify` recognises them)
 * turned into {@link StorageUnavailableError}, so callers above storage can tell "the database
 * is away, retry later" from a failed query without knowing the driver's error codes.
 * `engine` names the database in the error message (`PostgreSQL`, `SQLite`).
 */
export function withUnavailableErrors(dialect: Dialect, classify: UnavailableClassifier, engine: string): Dialect {
  return {
    createDriver: () => new MappedDriver(dialect.createDriver(), classify, engine),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
