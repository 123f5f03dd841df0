import { scanTargets, type RedisClient } from './redis-client.js';

/** Escapes glob metacharacters so a prefix like `app[1]:` matches itself in `SCAN MATCH`. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Visits every key under `prefix` in batches, with SCAN (never KEYS: it blocks the server for
 * the whole keyspace); on a cluster, on every primary. `visit` gets the node that holds the keys.
 */
export async function scanPrefix(
  redis: RedisClient,
  prefix: string,
  visit: (keys: string[], node: RedisClient) => Promise<void> | void,
): Promise<void> {
  for (const node of scanTargets(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await visit(keys, node);
    } while (cursor !== '0');
  }
}

/**
 * Deletes every key under `prefix` except those in `keep`, with UNLINK (freed off the main
 * thread); returns how many.
 */
export async function deleteByPrefix(redis: RedisClient, prefix: string, keep: readonly string[] = []): Promise<number> {
  let deleted = 0;
  await scanPrefix(redis, prefix, async function unlinkBatch(keys, node) {
    const doomed = keys.filter((key) => !keep.includes(key));
    if (doomed.length === 0) return;
    // A cluster node refuses a multi-key UNLINK across slots: one key per command there.
    if (node === redis) deleted += await node.unlink(...doomed);
    else for (const counts of await Promise.all(doomed.map((key) => node.unlink(key)))) deleted += counts;
  });
  return deleted;
}

/** Number of keys under `prefix` per namespace (the first segment after the prefix). */
export async function countByNamespace(redis: RedisClient, prefix: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await scanPrefix(redis, prefix, function countBatch(keys) {
    for (const key of keys) {
      const rest = key.slice(prefix.length);
      const end = rest.indexOf(':');
      const namespace = end === -1 ? rest : rest.slice(0, end);
      counts[namespace] = (counts[namespace] ?? 0) + 1;
    }
  });
  return counts;
}
