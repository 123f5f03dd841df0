import { escapeHtml, layout } from './html.js';

/** What the home page shows: who answers, and where a client or a person goes next. */
export interface HomeInfo {
  name: string;
  version: string;
  issuer: string;
  links: readonly { rel: string; href: string; title: string }[];
}

/** `GET /` as a small HTML page: server name, version, issuer and links (every value escaped). */
export function homePage(info: HomeInfo): string {
  const items = info.links
    .map((link) => `<li><a href="${escapeHtml(link.href)}">${escapeHtml(link.title)}</a> <span class="muted">${escapeHtml(link.href)}</span></li>`)
    .join('\n');
  return layout(
    info.name,
    `<h1 id="name">${escapeHtml(info.name)}</h1>
<p class="muted">OAuth 2.1 and OpenID Connect authorization server</p>
<p>Version <strong id="version">${escapeHtml(info.version)}</strong></p>
<p>Issuer <code id="issuer">${escapeHtml(info.issuer)}</code></p>
<ul id="links">
${items}
</ul>`,
  );
}
