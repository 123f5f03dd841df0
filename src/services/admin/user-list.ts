import type { UserListQuery, UserSortField } from '../../domain/user.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock } from '../../repositories/ports.js';
import { badRequest } from '../users/detail-error.js';
import { toAdminUserResponse, type AdminUserResponse } from '../users/user-views.js';
import { pageInfo, type PageInfo } from './page-info.js';

/** `GET /admin/users` query after schema checks; dates are still raw text. */
export interface AdminUserListInput {
  skip: number;
  limit: number;
  /** Ours: one case-insensitive substring over username, e-mail, given and family name. */
  search?: string;
  username?: string;
  email?: string;
  given_name?: string;
  family_name?: string;
  is_active?: boolean;
  is_verified?: boolean;
  is_admin?: boolean;
  requires_password_change?: boolean;
  created_after?: string;
  created_before?: string;
  last_login_after?: string;
  last_login_before?: string;
  locale?: string;
  zoneinfo?: string;
  sort_by?: UserSortField;
  sort_order?: 'asc' | 'desc';
}

/** `GET /admin/users` answer. */
export interface AdminUserList {
  users: AdminUserResponse[];
  total_count: number;
  page_info: PageInfo;
  filters_applied: Record<string, unknown> | null;
}

const DATE_PARAMS = ['created_after', 'created_before', 'last_login_after', 'last_login_before'] as const;
/** Per-column filters: substrings for the names, exact values for locale and zoneinfo. */
const FIELD_PARAMS = ['username', 'email', 'given_name', 'family_name', 'locale', 'zoneinfo'] as const;
const FLAG_PARAMS = ['is_active', 'is_verified', 'is_admin', 'requires_password_change'] as const;

/** ISO-8601 date or date-time with a 4-digit year (PostgreSQL's range); no zone means UTC. */
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** As in Authly, a bad date is 400 `Invalid <param> date format. Use ISO format.` */
export function parseIsoDate(name: string, value: string): Date {
  const match = ISO.exec(value.trim());
  const text = match && value.length > 10 && !match[1] ? `${value.trim()}Z` : value.trim();
  const date = match ? new Date(text.replace(' ', 'T')) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badRequest(`Invalid ${name} date format. Use ISO format.`);
  return date;
}

function filtersApplied(input: AdminUserListInput, dates: Record<string, Date>): Record<string, unknown> | null {
  const applied: Record<string, unknown> = {};
  const keys: (keyof AdminUserListInput)[] = ['search', ...FIELD_PARAMS, ...FLAG_PARAMS];
  for (const key of keys) {
    const value = input[key];
    if (value !== undefined) applied[key] = value;
  }
  for (const [key, date] of Object.entries(dates)) applied[key] = date.toISOString();
  return Object.keys(applied).length > 0 ? applied : null;
}

/**
 * Admin user listing: every filter, the sort and the page run in the database, so
 * the cost does not grow with the number of users.
 */
export async function listUsers(input: AdminUserListInput, deps: { repos: Repositories; clock: Clock }): Promise<AdminUserList> {
  const dates: Record<string, Date> = {};
  for (const name of DATE_PARAMS) if (input[name] !== undefined) dates[name] = parseIsoDate(name, input[name]);
  const base: Omit<UserListQuery, 'limit' | 'offset'> = {
    search: input.search,
    contains: { username: input.username, email: input.email, givenName: input.given_name, familyName: input.family_name },
    locale: input.locale,
    zoneinfo: input.zoneinfo,
    isActive: input.is_active,
    isVerified: input.is_verified,
    isAdmin: input.is_admin,
    requiresPasswordChange: input.requires_password_change,
    createdAfter: dates.created_after,
    createdBefore: dates.created_before,
    lastLoginAfter: dates.last_login_after,
    lastLoginBefore: dates.last_login_before,
    sortBy: input.sort_by ?? 'created_at',
    sortOrder: input.sort_order ?? 'desc',
  };
  const { users, total } = await deps.repos.users.list({ ...base, limit: input.limit, offset: input.skip });
  const sessions = await deps.repos.users.activeSessionCounts(users.map((u) => u.id), deps.clock.now());
  return {
    users: users.map((u) => toAdminUserResponse(u, sessions.get(u.id) ?? 0)),
    total_count: total,
    page_info: pageInfo(input.skip, input.limit, total),
    filters_applied: filtersApplied(input, dates),
  };
}
