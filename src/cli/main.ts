/**
 * The `authly` program: registers the commands (one line each) and runs it; each command lives
 * in `commands/<name>.ts`. Loaded by `index.ts`.
 */
import { registerAdmin } from './commands/admin/index.js';
import { registerCache } from './commands/cache.js';
import { registerDb } from './commands/db.js';
import { registerKeys } from './commands/keys.js';
import { registerServe } from './commands/serve.js';
import { reportError } from './errors.js';
import { processOutput } from './output.js';
import { createProgram } from './program.js';

const program = createProgram();
registerServe(program);
// `authly serve …` needs no other command's definition: defining them all (the admin tree is
// large) would only lengthen the server's start (bench/README.md, `startup`).
if (process.argv[2] !== 'serve') {
  registerDb(program);
  registerKeys(program);
  registerCache(program);
  registerAdmin(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error, processOutput);
}
