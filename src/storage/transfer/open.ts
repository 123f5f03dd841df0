import { assertPersistent } from './endpoint.js';
import type { Endpoint } from './endpoint.js';
import { openPostgresSource } from './postgres-source.js';
import { openPostgresTarget } from './postgres-target.js';
import type { SourceDatabase } from './source.js';
import { openSqliteSource } from './sqlite-source.js';
import { openSqliteTarget } from './sqlite-target.js';
import type { TargetDatabase } from './target.js';

/** Opens a database for reading in one snapshot. */
export async function openSource(endpoint: Endpoint): Promise<SourceDatabase> {
  assertPersistent(endpoint, 'source');
  const { options } = endpoint;
  if (options.backend === 'postgresql') return openPostgresSource(options, endpoint.label);
  if (options.backend === 'sqlite') return openSqliteSource(options.path, endpoint.label);
  throw new Error('unreachable: memory is refused above');
}

/** Opens a database for writing in one transaction, migrated to this build's schema inside it. */
export async function openTarget(endpoint: Endpoint): Promise<TargetDatabase> {
  assertPersistent(endpoint, 'target');
  const { options } = endpoint;
  if (options.backend === 'postgresql') return openPostgresTarget(options, endpoint.label);
  if (options.backend === 'sqlite') return openSqliteTarget(options.path, options.pragmas, endpoint.label);
  throw new Error('unreachable: memory is refused above');
}
