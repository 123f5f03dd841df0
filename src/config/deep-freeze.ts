import type { DeepReadonly } from './schema.js';

/**
 * Freezes an object graph in place, so no module can change the configuration after start-up
 * (configuration is validated once and passed in explicitly).
 */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}
