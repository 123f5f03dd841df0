import { z } from 'zod';
import { USER_SORT_FIELDS } from '../../../domain/user.js';
import { MAX_OFFSET, queryBool, queryInt, text } from '../../plugins/request-schema.js';
import { MAX_PASSWORD_LENGTH } from '../auth.js';

/** A real calendar date `YYYY-MM-DD`: PostgreSQL's DATE refuses `2024-02-30`. */
const birthdate = text(10).refine((value) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}, 'Input should be a valid date in the format YYYY-MM-DD');

/** OIDC Core §5.1.1 address; values are short strings. */
const address = z.object({
  formatted: text(1000).optional(),
  street_address: text(1000).optional(),
  locality: text(255).optional(),
  region: text(255).optional(),
  postal_code: text(64).optional(),
  country: text(255).optional(),
});

// Sizes follow Authly's columns, so no write can fail in the database.
const profileFields = {
  given_name: text(255).nullish(),
  family_name: text(255).nullish(),
  middle_name: text(255).nullish(),
  nickname: text(255).nullish(),
  preferred_username: text(255).nullish(),
  profile: text(2000).nullish(),
  picture: text(2000).nullish(),
  website: text(2000).nullish(),
  gender: text(50).nullish(),
  birthdate: birthdate.nullish(),
  zoneinfo: text(100).nullish(),
  locale: text(10).nullish(),
  phone_number: text(50).nullish(),
  phone_number_verified: z.boolean().nullish(),
  address: address.nullish(),
};

const flags = {
  is_active: z.boolean().nullish(),
  is_verified: z.boolean().nullish(),
  is_admin: z.boolean().nullish(),
  requires_password_change: z.boolean().nullish(),
};

/** `POST /admin/users`; unknown keys are dropped. */
export const userCreateBody = z.object({
  username: text(32, 3),
  email: text(255),
  password: text(MAX_PASSWORD_LENGTH, 8).nullish(),
  generate_temp_password: z.boolean().default(false),
  ...flags,
  ...profileFields,
});

/** `PUT /admin/users/{id}`. */
export const userUpdateBody = z.object({
  username: text(32, 3).nullish(),
  email: text(255).nullish(),
  password: text(MAX_PASSWORD_LENGTH, 8).nullish(),
  ...flags,
  ...profileFields,
});

const filterText = text(255).optional();

/** `GET /admin/users` query; dates are checked by the service with Authly's message. */
export const userListQuery = z.object({
  skip: queryInt(0, MAX_OFFSET, 0),
  limit: queryInt(1, 100, 25),
  search: filterText,
  username: filterText,
  email: filterText,
  given_name: filterText,
  family_name: filterText,
  is_active: queryBool().optional(),
  is_verified: queryBool().optional(),
  is_admin: queryBool().optional(),
  requires_password_change: queryBool().optional(),
  created_after: text(64).optional(),
  created_before: text(64).optional(),
  last_login_after: text(64).optional(),
  last_login_before: text(64).optional(),
  locale: filterText,
  zoneinfo: filterText,
  sort_by: z.enum(USER_SORT_FIELDS).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
});

/** `GET /admin/users/{id}/sessions` query. */
export const sessionListQuery = z.object({
  skip: queryInt(0, MAX_OFFSET, 0),
  limit: queryInt(1, 100, 25),
  include_inactive: queryBool().default(true),
});
