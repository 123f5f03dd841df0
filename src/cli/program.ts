import { Command } from 'commander';
import { packageVersion } from './version.js';

/** The `authly` program without commands; each command module registers itself on it. */
export function createProgram(): Command {
  return new Command('authly')
    .description('Authly: OAuth 2.1 and OpenID Connect authorization server')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
}
