/**
 * Configuration: the only code that reads `process.env` or config files.
 * Everything else receives a frozen {@link Config}.
 */
export { loadConfig } from './load.js';
export type { ConfigFlags, LoadConfigOptions } from './load.js';
export { ConfigError, formatProblem, hideUrlPassword } from './errors.js';
export type { ConfigProblem } from './errors.js';
export { configSchema } from './schema.js';
export type { Config, LoggingConfig } from './schema.js';
export { debugRequested, processEnvironment } from './env.js';
export type { Environment } from './env.js';
