import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Environment } from '../../../config/index.js';

/** The saved login, Authly's `tokens.json` shape plus the API it belongs to. */
export interface SavedTokens {
  access_token: string;
  refresh_token: string | null;
  /** ISO-8601. */
  expires_at: string;
  token_type: string;
  scope: string | null;
  api_url: string;
  /** The client a device login was made with; refreshes name it (RFC 6749 §6). */
  client_id?: string;
}

/**
 * Where the CLI keeps its login: `$AUTHLY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/authly`, else
 * `~/.config/authly` (XDG Base Directory spec). Tests point `AUTHLY_CONFIG_DIR` at a temp folder.
 */
export function configDirectory(env: Environment): string {
  if (env.AUTHLY_CONFIG_DIR) return env.AUTHLY_CONFIG_DIR;
  const xdg = env.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(xdg, 'authly');
}

/** The token file: readable by its owner only (mode 0600), as Authly keeps `~/.authly/tokens.json`. */
export class TokenStore {
  readonly file: string;

  constructor(directory: string) {
    this.file = path.join(directory, 'tokens.json');
  }

  load(): SavedTokens | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = JSON.parse(text) as Partial<SavedTokens>;
      return typeof parsed.access_token === 'string' ? (parsed as SavedTokens) : undefined;
    } catch {
      return undefined;
    }
  }

  save(tokens: SavedTokens): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileSync(this.file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    // The mode applies only when the file is created; an older file is tightened too.
    chmodSync(this.file, 0o600);
  }

  clear(): boolean {
    const existed = this.load() !== undefined;
    rmSync(this.file, { force: true });
    return existed;
  }
}
