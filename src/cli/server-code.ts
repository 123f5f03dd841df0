/**
 * What `authly serve` loads once the command is chosen: the application, the config loader and
 * the logger. `npm run build` also bundles this module alone as CommonJS
 * (`dist/bundle/server-code.cjs`), which {@link loadCachedScript} compiles with V8's code cache.
 */
export { createApplication } from '../app/application.js';
export { loadConfig } from '../config/load.js';
export { createLogger } from '../log/logger.js';
