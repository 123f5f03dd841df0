import type { Repositories } from '../../repositories/repositories.js';
import type { Clock, Logger } from '../../repositories/ports.js';

/** What `/admin/status` reports about the server's own settings. */
export interface SystemSettings {
  apiPrefix: string;
  jwtAlgorithm: string;
  accessTokenExpiryMinutes: number;
  refreshTokenExpiryDays: number;
  /** `sqlite`, `memory` or `postgresql`: reported as the database "version". */
  databaseBackend: string;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
}

/** `GET /admin/status` answer. */
export interface SystemStatus {
  status: 'operational';
  database: { connected: true; version: string } | { connected: false; error: string };
  configuration: { valid: true; api_prefix: string; jwt_algorithm: string; access_token_expiry_minutes: number; refresh_token_expiry_days: number };
  statistics: { oauth_clients: number; oauth_scopes: number; active_clients: number; active_scopes: number } | { error: string };
  timestamp: string;
}

/** `GET /admin/dashboard/stats` answer. */
export interface DashboardStats {
  users: { total: number; active: number; inactive: number; admins: number; unverified: number; requires_password_change: number };
  activity: { new_users_24h: number; new_users_7d: number };
  timestamp: string;
}

const DAY_MS = 86_400_000;

/** System status and statistics, with a real timestamp. */
export class SystemAdmin {
  readonly #repos: Repositories;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #settings: SystemSettings;

  constructor(deps: { repos: Repositories; clock: Clock; logger: Logger; settings: SystemSettings }) {
    this.#repos = deps.repos;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#settings = deps.settings;
  }

  async status(): Promise<SystemStatus> {
    const s = this.#settings;
    return {
      status: 'operational',
      database: await this.#database(),
      configuration: {
        valid: true,
        api_prefix: s.apiPrefix,
        jwt_algorithm: s.jwtAlgorithm,
        access_token_expiry_minutes: s.accessTokenExpiryMinutes,
        refresh_token_expiry_days: s.refreshTokenExpiryDays,
      },
      statistics: await this.#statistics(),
      timestamp: this.#clock.now().toISOString(),
    };
  }

  /** Counts by filtered listing totals (one cheap query each). */
  async dashboard(): Promise<DashboardStats> {
    const now = this.#clock.now();
    const total = (filter: object) => this.#repos.users.list({ ...filter, limit: 1, offset: 0 }).then((p) => p.total);
    const [counts, admins, unverified, mustChange, day, week] = await Promise.all([
      this.#repos.users.counts(),
      total({ isAdmin: true }),
      total({ isVerified: false }),
      total({ requiresPasswordChange: true }),
      total({ createdAfter: new Date(now.getTime() - DAY_MS) }),
      total({ createdAfter: new Date(now.getTime() - 7 * DAY_MS) }),
    ]);
    return {
      users: { total: counts.total, active: counts.active, inactive: counts.total - counts.active, admins, unverified, requires_password_change: mustChange },
      activity: { new_users_24h: day, new_users_7d: week },
      timestamp: now.toISOString(),
    };
  }

  async #database(): Promise<SystemStatus['database']> {
    try {
      await this.#settings.ping();
      return { connected: true, version: this.#settings.databaseBackend };
    } catch (error) {
      this.#logger.warn({ err: error }, 'admin status: database unreachable');
      return { connected: false, error: 'database unreachable' };
    }
  }

  async #statistics(): Promise<SystemStatus['statistics']> {
    try {
      const [clients, scopes, activeScopes] = await Promise.all([this.#repos.clients.counts(), this.#repos.scopes.count(true), this.#repos.scopes.count(false)]);
      return { oauth_clients: clients.total, oauth_scopes: scopes, active_clients: clients.active, active_scopes: activeScopes };
    } catch (error) {
      this.#logger.warn({ err: error }, 'admin status: statistics unavailable');
      return { error: 'statistics unavailable' };
    }
  }
}
