import type { Repositories } from '../../src/repositories/repositories.js';

/** Calls per `aggregate.method`, e.g. `clients.findByClientId`. */
export type CallCounts = Map<string, number>;

/**
 * Wraps real repositories so a test can see how many calls reached them: the only way to tell a
 * cache hit from a database read without timing anything.
 */
export function countingRepositories(inner: Repositories): { repositories: Repositories; calls: CallCounts } {
  const calls: CallCounts = new Map();
  const wrap = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const label = `${name}.${String(prop)}`;
        return function counted(...args: unknown[]) {
          calls.set(label, (calls.get(label) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  const repositories = Object.fromEntries(
    Object.entries(inner).map(([name, repo]) => [name, wrap(name, repo as object)]),
  ) as unknown as Repositories;
  return { repositories, calls };
}

/** Calls of one method so far. */
export function callsOf(calls: CallCounts, label: string): number {
  return calls.get(label) ?? 0;
}
