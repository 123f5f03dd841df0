import { createHash } from 'node:crypto';

const MASK = (1n << 64n) - 1n;

/**
 * An order-independent checksum of a set of rows: the SHA-256 of each row's canonical text,
 * added lane by lane (four 64-bit lanes, modulo 2^64). Addition commutes, so the two engines
 * may return rows in any order (their collations sort text differently) and no ORDER BY, sort
 * or memory proportional to the table is needed.
 */
export class RowSetChecksum {
  readonly #lanes = [0n, 0n, 0n, 0n];

  add(canonicalRow: string): void {
    const digest = createHash('sha256').update(canonicalRow).digest();
    for (let lane = 0; lane < 4; lane++) {
      this.#lanes[lane] = (this.#lanes[lane]! + digest.readBigUInt64LE(lane * 8)) & MASK;
    }
  }

  /** 64 hex digits. */
  hex(): string {
    return this.#lanes.map((lane) => lane.toString(16).padStart(16, '0')).join('');
  }
}
