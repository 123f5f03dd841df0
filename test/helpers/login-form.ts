/** The login form of an authorization page, as a browser would submit it. */
export interface LoginForm {
  action: string;
  fields: Record<string, string>;
  cookie: string;
}

/** Reads the form's hidden inputs and the CSRF cookie out of the page and its response. */
export function parseLoginForm(html: string, response: Response, base: string): LoginForm {
  const action = /<form method="post" action="([^"]+)" id="consent-form">/.exec(html)?.[1];
  if (!action) throw new Error(`no consent form in page:\n${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[decode(match[1]!)] = decode(match[2]!);
  }
  const cookie = (response.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  return { action: new URL(decode(action), base).toString(), fields, cookie };
}

function decode(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Opens the authorization URL, fills in the login form and submits it like a browser: the
 * response is the server's redirect (not followed).
 */
export async function loginThroughForm(
  authorizationUrl: string,
  credentials: { username: string; password: string; approved?: boolean },
): Promise<Response> {
  const page = await fetch(authorizationUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorization page answered ${page.status}: ${html.slice(0, 300)}`);
  const form = parseLoginForm(html, page, authorizationUrl);
  const body = new URLSearchParams({
    ...form.fields,
    username: credentials.username,
    password: credentials.password,
    approved: credentials.approved === false ? 'false' : 'true',
  });
  return fetch(form.action, { method: 'POST', body, headers: { cookie: form.cookie }, redirect: 'manual' });
}
