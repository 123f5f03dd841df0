import type { AdminApi } from './api-client.js';

/** A user as the admin API shows it. */
export type AdminUser = Record<string, unknown> & { id: string; username: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user id, or a username looked up through the listing's username filter (exact match, any case). */
export async function resolveUser(api: AdminApi, idOrName: string): Promise<string> {
  if (UUID.test(idOrName)) return idOrName;
  const page = await api.request<{ users: AdminUser[] }>('GET', '/admin/users', { query: { username: idOrName, limit: '100' } });
  const match = page.users.find((u) => u.username.toLowerCase() === idOrName.toLowerCase());
  if (!match) throw new Error(`no user named ${idOrName}`);
  return match.id;
}
