import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { RandomSource } from '../crypto/random.js';
import type { User } from '../domain/user.js';
import { ConflictError } from '../repositories/errors.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Logger } from '../repositories/ports.js';
import { ADMIN_SCOPES, OIDC_SCOPE_DESCRIPTIONS } from './admin/admin-scopes.js';
import { BOOTSTRAP_PASSWORD, generatePassword } from './users/password-rules.js';

/** The `admin` config section as bootstrap reads it. */
export interface BootstrapSettings {
  username: string;
  email: string;
  /** `null` generates one, shown once in the log. */
  password: string | null;
  /** A configured password need not be changed at first login (`AUTHLY_BOOTSTRAP_DEV_MODE`). */
  devMode: boolean;
}

/** What bootstrap needs. */
export interface BootstrapDeps {
  repos: Repositories;
  passwords: PasswordHasher;
  random: RandomSource;
  logger: Logger;
}

/** What bootstrap did; `generatedPassword` is set only when it created the admin with one. */
export interface BootstrapReport {
  scopesCreated: string[];
  scopesUpdated: string[];
  admin: 'created' | 'unchanged';
  generatedPassword?: string;
}

/**
 * The configured admin name belongs to an account that is not an admin. Promoting it would hand
 * the admin role, with a password the operator never chose, to whoever registered that name
 * (self-registration is open), so the server refuses to start. The message is one line that
 * names the conflict and both ways out.
 */
export class BootstrapConflictError extends Error {
  override readonly name = 'BootstrapConflictError';
  readonly username: string;

  constructor(username: string) {
    super(
      `bootstrap refused: user "${username}" (admin.username) exists but is not an admin, and an existing account is never promoted; ` +
        `set admin.username (AUTHLY_ADMIN_USERNAME) to a name no account uses, and if "${username}" is yours, promote it afterwards as that admin (PUT /admin/users/{id} with "is_admin": true)`,
    );
    this.username = username;
  }
}

/**
 * First-start set-up, idempotent and safe when several instances start together:
 * registers the eight `admin:*` scopes, rewrites the OIDC scope descriptions, and makes sure the
 * configured admin user exists and is an admin. An existing admin's password is never reset;
 * an existing account that is not an admin is never promoted ({@link BootstrapConflictError}).
 */
export async function bootstrap(settings: BootstrapSettings, deps: BootstrapDeps): Promise<BootstrapReport> {
  const report: BootstrapReport = { scopesCreated: [], scopesUpdated: [], admin: 'unchanged' };
  for (const [name, description] of [...Object.entries(ADMIN_SCOPES), ...Object.entries(OIDC_SCOPE_DESCRIPTIONS)]) {
    const outcome = await ensureScope(name, description, deps.repos);
    if (outcome === 'created') report.scopesCreated.push(name);
    if (outcome === 'updated') report.scopesUpdated.push(name);
  }
  await ensureAdmin(settings, deps, report);
  return report;
}

async function ensureScope(name: string, description: string, repos: Repositories): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await repos.scopes.findByName(name);
  if (!existing) {
    try {
      await repos.scopes.create({ scopeName: name, description, isDefault: false, isActive: true });
      return 'created';
    } catch (error) {
      // Another instance created it first: fall through to the description check.
      if (!(error instanceof ConflictError)) throw error;
      return ensureScope(name, description, repos);
    }
  }
  // Only the description is rewritten; `is_default` of existing rows stays.
  if (existing.description === description) return 'unchanged';
  await repos.scopes.update(existing.id, { description });
  return 'updated';
}

/** Refuses an account of that name that is not an admin; `true` when an admin already has it. */
async function adminExists(settings: BootstrapSettings, deps: BootstrapDeps): Promise<boolean> {
  const existing = await deps.repos.users.findByUsername(settings.username);
  if (existing && !existing.isAdmin) throw new BootstrapConflictError(settings.username);
  return existing !== undefined;
}

async function ensureAdmin(settings: BootstrapSettings, deps: BootstrapDeps, report: BootstrapReport): Promise<void> {
  if (await adminExists(settings, deps)) return;
  const generated = settings.password === null ? generatePassword(deps.random, BOOTSTRAP_PASSWORD) : undefined;
  const created = await createAdmin(settings, generated ?? settings.password ?? '', generated !== undefined, deps);
  if (!created) {
    // The name or e-mail was taken meanwhile: by another instance's admin (fine), or by a
    // registration that raced us (refused, as if it had been there first).
    await adminExists(settings, deps);
    return;
  }
  report.admin = 'created';
  if (generated !== undefined) {
    report.generatedPassword = generated;
    // The password is shown once on the console by the caller (authly serve), never
    // logged: logs are shipped and kept, and secrets must not reach them.
    deps.logger.warn(
      { username: created.username },
      `bootstrap: created admin user "${created.username}" with a generated password, printed once to the console; it must be changed at first login`,
    );
  } else {
    deps.logger.info({ username: created.username }, 'bootstrap: created admin user');
  }
}

async function createAdmin(settings: BootstrapSettings, password: string, generated: boolean, deps: BootstrapDeps): Promise<User | undefined> {
  try {
    return await deps.repos.users.create({
      username: settings.username,
      email: settings.email,
      passwordHash: await deps.passwords.hash(password),
      isActive: true,
      isVerified: true,
      isAdmin: true,
      // A change is required, except for a configured password in development mode.
      requiresPasswordChange: generated || !settings.devMode,
    });
  } catch (error) {
    // Another instance created the admin, or the name or e-mail is taken: the caller looks again.
    if (error instanceof ConflictError) {
      deps.logger.warn({ username: settings.username, err: error }, 'bootstrap: admin user not created (name or e-mail taken)');
      return undefined;
    }
    throw error;
  }
}
