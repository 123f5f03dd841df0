/**
 * Runs `body` while four readers call `read` in a loop, so loads stay in flight across the writes
 * `body` makes and fills race invalidations. Each reader yields a turn between reads: a cache hit
 * never leaves the microtask queue, and the event loop would starve.
 */
export async function whileReading(read: () => Promise<unknown>, body: () => Promise<void>): Promise<void> {
  let stop = false;
  const readers = Array.from({ length: 4 }, async () => {
    while (!stop) {
      await read();
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  try {
    await body();
  } finally {
    stop = true;
    await Promise.all(readers);
  }
}
