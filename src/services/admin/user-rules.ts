import type { User } from '../../domain/user.js';
import type { Repositories } from '../../repositories/repositories.js';
import { badRequest } from '../users/detail-error.js';
import { adminPasswordProblem } from '../users/password-rules.js';

const USERNAME = /^[a-zA-Z0-9_]+$/;
const EMAIL = /^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$/;

/** What the admin user validator checks; absent keys are skipped (updates). */
export interface UserRuleInput {
  username?: string;
  email?: string;
  password?: string;
}

function usernameProblem(username: string): string | undefined {
  if (username.length < 3) return 'Username must be at least 3 characters long';
  if (username.length > 32) return 'Username must be no more than 32 characters long';
  if (!USERNAME.test(username)) return 'Username can only contain letters, numbers, and underscores';
  return undefined;
}

function emailProblem(email: string): string | undefined {
  if (email.length > 254) return 'Email address is too long';
  if (!EMAIL.test(email)) return 'Invalid email format';
  return undefined;
}

/**
 * Authly's admin user validator: collects problems in its order and answers 400 with
 * only the first. `self` is the user being updated, whose own name and address are not "taken".
 */
export async function checkAdminUserInput(input: UserRuleInput, repos: Repositories, self?: User): Promise<void> {
  const problems: (string | undefined)[] = [];
  if (self === undefined) {
    for (const field of ['username', 'email'] as const) if (!input[field]) problems.push(`Field '${field}' is required`);
  }
  if (input.username) problems.push(usernameProblem(input.username));
  if (input.email) problems.push(emailProblem(input.email));
  if (input.username && input.username.toLowerCase() !== self?.username.toLowerCase()) {
    if (await repos.users.findByUsername(input.username)) problems.push(`Username '${input.username}' already exists`);
  }
  if (input.email && input.email.toLowerCase() !== self?.email.toLowerCase()) {
    if (await repos.users.findByEmail(input.email)) problems.push(`Email '${input.email}' already exists`);
  }
  if (input.password !== undefined) problems.push(adminPasswordProblem(input.password));
  const first = problems.find((p) => p !== undefined);
  if (first) throw badRequest(first);
}

/** Number of admin users. */
export async function adminCount(repos: Repositories): Promise<number> {
  return (await repos.users.list({ isAdmin: true, limit: 1, offset: 0 })).total;
}
