/** An absolute-form request target's scheme and authority (RFC 9112 §3.2.2): `http://host:port`. */
const ABSOLUTE_FORM_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** Decodes percent-escapes; an invalid sequence is kept as written rather than failing. */
function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%[0-9a-f]{2}/gi, (escape) => {
      const code = Number.parseInt(escape.slice(1), 16);
      return code < 0x80 ? String.fromCharCode(code) : escape;
    });
  }
}

/**
 * The path a request target names once every spelling trick is undone: the absolute form's
 * scheme and authority, the query and fragment dropped; percent-escapes decoded (`%61dmin`,
 * `%2F`); backslashes read as slashes; empty and `.` segments removed and `..` segments resolved
 * (RFC 3986 §5.2.4). Used to judge requests no route matched, so an unknown path is classed by
 * what it says, not by how it is written.
 */
export function normalisedPath(target: string): string {
  const withoutAuthority = target.replace(ABSOLUTE_FORM_AUTHORITY, '');
  const path = withoutAuthority.split(/[?#]/, 1)[0] ?? '';
  const segments: string[] = [];
  for (const segment of decodePercent(path).replaceAll('\\', '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/**
 * True when a normalised path is under `/admin` as Authly's admin middleware sees it (any path
 * that starts with `/admin`, `/administrator` included), compared without case so `/ADMIN` is
 * refused the same way.
 */
export function isAdminPath(path: string): boolean {
  return path.toLowerCase().startsWith('/admin');
}
