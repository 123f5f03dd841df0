import type { Command as CommandType } from 'commander';
import { Command } from 'commander';
import { configOption } from './config-option.js';
import { packageVersion } from './version.js';

/**
 * The `authly` program without commands; each command module registers itself on it.
 * `--config` is accepted before the command too (`authly --config f serve`), as most CLIs allow:
 * it applies to the command unless the command names its own.
 */
export function createProgram(): Command {
  return new Command('authly')
    .description('Authly: OAuth 2.1 and OpenID Connect authorization server')
    .version(packageVersion())
    .addOption(configOption())
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', inheritConfig);
}

/** Copies the program's `--config` onto the command about to run, when it takes one and has none. */
function inheritConfig(program: CommandType, action: CommandType): void {
  const file = program.opts<{ config?: string }>().config;
  if (file === undefined || action === program) return;
  if (!action.options.some((option) => option.long === '--config')) {
    throw new Error(`authly ${action.name()} takes no --config`);
  }
  if (action.getOptionValue('config') === undefined) action.setOptionValue('config', file);
}
