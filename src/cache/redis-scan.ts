import type { Redis } from 'ioredis';

/** Escapes glob metacharacters so a prefix like `app[1]:` matches itself in `SCAN MATCH`. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Visits every key under `prefix` in batches, with SCAN (never KEYS: it blocks the server for
 * the whole keyspace).
 */
export async function scanPrefix(redis: Redis, prefix: string, visit: (keys: string[]) => Promise<void> | void): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await visit(keys);
  } while (cursor !== '0');
}

/**
 * Deletes every key under `prefix` except those in `keep`, with UNLINK (freed off the main
 * thread); returns how many.
 */
export async function deleteByPrefix(redis: Redis, prefix: string, keep: readonly string[] = []): Promise<number> {
  let deleted = 0;
  await scanPrefix(redis, prefix, async function unlinkBatch(keys) {
    const doomed = keys.filter((key) => !keep.includes(key));
    if (doomed.length > 0) deleted += await redis.unlink(...doomed);
  });
  return deleted;
}

/** Number of keys under `prefix` per namespace (the first segment after the prefix). */
export async function countByNamespace(redis: Redis, prefix: string): Promise<Record<string, number>> {
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
