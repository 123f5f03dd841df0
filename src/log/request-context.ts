import { AsyncLocalStorage } from 'node:async_hooks';

/*
 * The request a piece of code runs for, so that log lines written through the application
 * logger (by services, which know nothing of HTTP) still carry the request's id, as the lines
 * written through the request's own child logger do.
 */
const context = new AsyncLocalStorage<{ readonly reqId: string }>();

/** Runs `work` (and everything asynchronous it starts) as part of request `reqId`. */
export function runWithRequestId<T>(reqId: string, work: () => T): T {
  return context.run({ reqId }, work);
}

/** The id of the request the caller runs for, if any. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.reqId;
}
