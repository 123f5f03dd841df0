/** The source of "now"; injected so expiry is testable without sleeping. */
export interface Clock {
  now(): Date;
}

/** The source of identifiers; injected so tests can be deterministic. */
export interface IdGenerator {
  /** A new random UUID (v4). */
  uuid(): string;
}

/** Structured logging as services see it (pino's call shape: object first, then message). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };
