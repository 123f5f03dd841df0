/**
 * Moving data between backends: `authly db export`, `import`, `copy`, `verify` and `seed`.
 * Tables, columns and their order come from the live schema of each database, so a column or
 * table added by a later migration is carried without changes here.
 */
export { copyDatabase } from './copy.js';
export type { CopyOptions } from './copy.js';
export { exportDatabase } from './export.js';
export type { ExportOptions, ExportReport } from './export.js';
export { importDump } from './import.js';
export type { ImportOptions } from './import.js';
export { verifyDatabases } from './verify.js';
export type { TableComparison, TableSide, VerifyOptions, VerifyReport } from './verify.js';
export { seedDatabase } from './seed.js';
export type { SeedOptions, SeedReport } from './seed.js';
export { assertDistinct, endpointFor, endpointLabel } from './endpoint.js';
export type { Endpoint } from './endpoint.js';
export { TransferError } from './errors.js';
export type { ImportMode } from './load.js';
export type { ProgressEvent, ProgressListener, TableCount } from './progress.js';
export type { TransferReport } from './report.js';
export { describeVersion } from './version.js';
export type { SchemaVersion } from './version.js';
