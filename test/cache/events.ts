import type { CacheStore, Invalidation } from '../../src/cache/index.js';

/**
 * Resolves when `store` applies an invalidation matching `match` (bounded: rejects after
 * `timeoutMs`), so coherence tests wait for the event itself, never for a guessed delay.
 * Call it before the write, so the event cannot arrive before the listener.
 */
export function nextInvalidation(store: CacheStore, match: (event: Invalidation) => boolean, timeoutMs = 1000): Promise<Invalidation> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching invalidation within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = store.onInvalidate((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

/** Matches an invalidation that names a key containing `fragment` (or a flush). */
export function touching(fragment: string): (event: Invalidation) => boolean {
  return (event) => 'all' in event || event.keys.some((key) => key.includes(fragment));
}
