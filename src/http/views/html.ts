const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values (OWASP XSS rule #1/#2). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The page frame shared by every server-rendered page. `body` must already be escaped. */
export function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} - Authly</title>
<style>
body{font-family:system-ui,-apple-system,sans-serif;background:#f4f5f7;color:#1f2933;margin:0}
header,footer{text-align:center;padding:1rem;color:#52606d}
main{max-width:28rem;margin:1rem auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 4px rgba(0,0,0,.1)}
h1{font-size:1.4rem;margin-top:0}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #cbd2d9;border-radius:4px}
ul.scopes{padding-left:1.2rem}
.error{background:#fde8e8;color:#9b1c1c;padding:.5rem .75rem;border-radius:4px}
.actions{display:flex;gap:.75rem;margin-top:1.25rem}
button{flex:1;padding:.6rem;border-radius:4px;border:1px solid #cbd2d9;font:inherit;font-size:1rem;cursor:pointer}
button.primary{background:#2563eb;color:#fff;border-color:#2563eb}
.muted{color:#52606d;font-size:.9rem}
</style>
</head>
<body>
<header><strong>Authly</strong></header>
<main>
${body}
</main>
<footer class="muted">Secure OAuth 2.1 Authentication.</footer>
</body>
</html>`;
}
