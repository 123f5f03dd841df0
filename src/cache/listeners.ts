/** A minimal synchronous event fan-out (no EventEmitter: typed, and a throwing listener is isolated). */
export class Listeners<E> {
  readonly #set = new Set<(event: E) => void>();

  /** Adds a listener; returns a function that removes it. */
  add(listener: (event: E) => void): () => void {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }

  /** Calls every listener; one that throws does not stop the others. */
  emit(event: E): void {
    for (const listener of this.#set) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break invalidation for the rest.
      }
    }
  }
}
