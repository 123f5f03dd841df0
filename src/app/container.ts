import type { Config } from '../config/index.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Logger } from '../repositories/ports.js';
import type { Storage } from '../storage/storage.js';
import { storageOptionsFrom } from './storage-options.js';
import { openStorage } from './storage.js';

/** What the process runs on: configuration, logging, storage and the repositories services use. */
export interface Container {
  readonly config: Config;
  readonly logger: Logger;
  readonly storage: Storage;
  /** The repositories services receive (cached or not, they cannot tell: DESIGN.md §1). */
  readonly repositories: Repositories;
  /** Releases everything the container opened; idempotent. */
  close(): Promise<void>;
}

/** Dependencies the caller owns (the logger outlives the container). */
export interface ContainerDeps {
  logger: Logger;
}

/**
 * The composition root (DESIGN.md §1): opens the configured storage, applies pending migrations
 * when `database.migrate_on_start` is set, and assembles the repositories.
 * @throws StorageOpenError when the database cannot be opened.
 */
export async function createContainer(config: Config, deps: ContainerDeps): Promise<Container> {
  const { logger } = deps;
  const storage = await openStorage(storageOptionsFrom(config), { logger });
  try {
    if (config.database.migrate_on_start) await migrateOnStart(storage, logger);
  } catch (error) {
    await storage.close();
    throw error;
  }

  // The one place repositories are chosen: the cache decorators (DESIGN.md §3) wrap them here.
  const repositories: Repositories = storage.repositories;

  return {
    config,
    logger,
    storage,
    repositories,
    close: () => storage.close(),
  };
}

async function migrateOnStart(storage: Storage, logger: Logger): Promise<void> {
  const report = await storage.migrate();
  if (report.adoptedBaseline) logger.info({ backend: storage.backend }, 'adopted existing Authly schema');
  if (report.applied.length > 0) logger.info({ migrations: report.applied }, 'applied migrations');
}
