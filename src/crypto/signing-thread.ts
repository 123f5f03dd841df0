import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../repositories/ports.js';
import { jwsSignature } from './compact-jws.js';
import type { SigningAlgorithm } from './token-signer.js';

/** Computes the base64url signature of a JWS signing input (RFC 7515 §5.1 steps 5–6). */
export type SignatureFunction = (alg: Exclude<SigningAlgorithm, 'HS256'>, input: string, key: KeyObject) => Promise<string>;

/** The base64url signature, computed on the calling thread. */
function signatureHere(alg: Exclude<SigningAlgorithm, 'HS256'>, input: string, key: KeyObject): string {
  return jwsSignature(alg, input, key).toString('base64url');
}

/** Signs on the calling thread: the default, and what the signing thread falls back to. */
export const signOnThisThread: SignatureFunction = (alg, input, key) => Promise.resolve(signatureHere(alg, input, key));

/**
 * The worker's code, plain CommonJS so it runs the same from the sources, from tsc's modules and
 * from the bundle (a file beside the bundle would need a path per build). It keeps the private keys
 * it is sent, answers each batch of `[job, key, alg, input]` with `[job, signature | null, error]`,
 * and signs exactly as `jwsSignature` does (RFC 7518 §3.3, §3.4 with IEEE P1363 R‖S, RFC 8037 §3.1).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { sign } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (message) => {
  if (message.kind === 'key') { keys.set(message.id, message.key); return; }
  const answers = [];
  for (const [job, keyId, alg, input] of message.jobs) {
    try {
      const key = keys.get(keyId);
      const data = Buffer.from(input, 'utf8');
      const signature = alg === 'ES256' ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) : sign(alg === 'EdDSA' ? null : 'sha256', data, key);
      answers.push([job, signature.toString('base64url'), null]);
    } catch (error) {
      answers.push([job, null, String(error && error.message || error)]);
    }
  }
  parentPort.postMessage(answers);
});
`;

interface Job {
  alg: Exclude<SigningAlgorithm, 'HS256'>;
  input: string;
  key: KeyObject;
  resolve(signature: string): void;
  reject(error: Error): void;
}

/** The signing thread could not sign one input (a key the worker could not use). */
export class SigningThreadError extends Error {
  override readonly name = 'SigningThreadError';
}

/**
 * Asymmetric JWS signatures on a worker thread, so an ES256 signature (~30 µs of OpenSSL) does not
 * hold the event loop: on a machine with a second core the HTTP thread serves other requests while
 * the worker signs. Jobs arriving within one turn of the event loop travel as one message each way
 * (the requests of one turn reach signing before the loop's check phase, when the batch leaves).
 *
 * Each private key crosses to the worker once (a `KeyObject` is cloned by `postMessage`) and stays
 * there for the life of the worker: keys rotate rarely, and the worker holds nothing the process
 * does not. If the worker dies, the jobs it held and every later one are signed on this thread, so
 * no request fails for it; the death is logged once.
 */
export class SigningThread {
  readonly #logger: Logger | undefined;
  #worker: Worker | undefined;
  /** After the worker died or was closed: sign here. */
  #inProcess = false;
  readonly #keyIds = new WeakMap<KeyObject, number>();
  #nextKeyId = 1;
  #nextJob = 1;
  readonly #waiting = new Map<number, Job>();
  #batch: [number, number, string, string][] = [];

  readonly #spawn: () => Worker;

  /** `spawn` starts the worker (tests start one that fails); by default, the code above. */
  constructor(options: { logger?: Logger; spawn?: () => Worker } = {}) {
    this.#logger = options.logger;
    this.#spawn = options.spawn ?? (() => new Worker(WORKER_SOURCE, { eval: true, name: 'authly-signing' }));
  }

  /** A {@link SignatureFunction} bound to this thread. */
  readonly sign: SignatureFunction = (alg, input, key) => {
    if (this.#inProcess) return signOnThisThread(alg, input, key);
    let worker: Worker;
    try {
      worker = this.#started();
    } catch (error) {
      // No thread to be had (a resource limit): this thread signs, now and from now on.
      this.#logger?.warn({ err: error }, 'signing thread could not start; signing on the main thread');
      this.#inProcess = true;
      return signOnThisThread(alg, input, key);
    }
    return new Promise<string>((resolve, reject) => {
      let keyId = this.#keyIds.get(key);
      if (keyId === undefined) {
        keyId = this.#nextKeyId++;
        this.#keyIds.set(key, keyId);
        // Sent before the batch that first uses it: messages on one port arrive in order.
        worker.postMessage({ kind: 'key', id: keyId, key });
      }
      const job = this.#nextJob++;
      this.#waiting.set(job, { alg, input, key, resolve, reject });
      if (this.#batch.length === 0) setImmediate(() => this.#send());
      this.#batch.push([job, keyId, alg, input]);
    });
  };

  /** Stops the worker; jobs still waiting and later ones are signed on this thread. */
  async close(): Promise<void> {
    this.#inProcess = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
    this.#signWaitingHere();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#spawn();
    // The worker must not keep a finished process alive; the requests waiting on it do.
    worker.unref();
    worker.on('message', (answers: [number, string | null, string | null][]) => this.#answer(answers));
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      // `close()` clears #worker first: only a death nobody asked for is reported.
      if (this.#worker !== worker) return;
      this.#logger?.warn({ err: failure, exitCode: code }, 'signing thread stopped; signing on the main thread from now on');
      this.#worker = undefined;
      this.#inProcess = true;
      this.#signWaitingHere();
    });
    this.#worker = worker;
    return worker;
  }

  #send(): void {
    const jobs = this.#batch;
    this.#batch = [];
    if (this.#worker) this.#worker.postMessage({ kind: 'jobs', jobs });
    else this.#signWaitingHere();
  }

  #answer(answers: [number, string | null, string | null][]): void {
    for (const [id, signature, error] of answers) {
      const job = this.#waiting.get(id);
      if (!job) continue;
      this.#waiting.delete(id);
      if (signature !== null) job.resolve(signature);
      else job.reject(new SigningThreadError(error ?? 'signing failed'));
    }
  }

  #signWaitingHere(): void {
    this.#batch = [];
    const jobs = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const job of jobs) {
      try {
        job.resolve(signatureHere(job.alg, job.input, job.key));
      } catch (error) {
        job.reject(error as Error);
      }
    }
  }
}
