/** How much work each table does: `--size tiny` (the smoke test), `default`, `full` (adds 1M users). */
export type SizeName = 'tiny' | 'default' | 'full';

/** The knobs of one size. */
export interface Size {
  name: SizeName;
  /** Users (and their tokens) behind the storage table's reads and its complex query. */
  storageUsers: number;
  /** Timed sequential operations per cell of the storage table (after `warmup` untimed ones). */
  samples: number;
  warmup: number;
  /** Timed operations per concurrent cell, `inFlight` at a time. */
  concurrentOps: number;
  inFlight: number;
  /** Users per bulk insert, and how many bulk inserts per backend. */
  bulkUsers: number;
  bulkRounds: number;
  /** User counts of the memory table (0 is the empty database, the analysis's "base memory"). */
  memoryUsers: number[];
  /** Configurations of the memory table; all four unless set. */
  memoryVariants?: string[];
  /** HTTP requests of the memory table's warm read workload. */
  warmRequests: number;
  /** Starts per backend in the start-up table. */
  startupRuns: number;
  /** Configurations of the start-up table; every one whose server answers unless set. */
  startupVariants?: string[];
}

const DEFAULT: Size = {
  name: 'default',
  storageUsers: 10_000,
  samples: 1000,
  warmup: 100,
  concurrentOps: 2500,
  inFlight: 50,
  bulkUsers: 1000,
  bulkRounds: 3,
  memoryUsers: [0, 10_000, 100_000],
  warmRequests: 2000,
  startupRuns: 3,
};

const SIZES: Record<SizeName, Size> = {
  tiny: { name: 'tiny', storageUsers: 200, samples: 20, warmup: 5, concurrentOps: 100, inFlight: 50, bulkUsers: 50, bulkRounds: 1, memoryUsers: [200], memoryVariants: ['sqlite', 'memory'], warmRequests: 40, startupRuns: 1, startupVariants: ['sqlite', 'memory'] },
  default: DEFAULT,
  full: { ...DEFAULT, name: 'full', memoryUsers: [0, 10_000, 100_000, 1_000_000] },
};

/** The size named by `--size` (default `default`); throws on an unknown name. */
export function sizeNamed(name: string | undefined): Size {
  const size = SIZES[(name ?? 'default') as SizeName];
  if (size === undefined) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
  return size;
}
