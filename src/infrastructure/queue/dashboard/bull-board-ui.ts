import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

export interface Asset {
  contentType: string;
  body: Buffer;
}

/** What the prebuilt UI ships under static/; a file of any other kind is not served. */
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * The files of bull-board's prebuilt UI, read once at boot (about 3 MB). A request names a key of
 * this map or gets nothing, so no path it sends ever reaches the file system.
 */
export function readAssets(staticDir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(staticDir, { recursive: true, withFileTypes: true })) {
    const contentType = CONTENT_TYPES[extname(entry.name)];
    if (!entry.isFile() || !contentType) continue;
    const file = join(entry.parentPath, entry.name);
    assets.set(relative(staticDir, file).split(sep).join('/'), { contentType, body: readFileSync(file) });
  }
  return assets;
}

const TAG = /<%([=-])\s*(\w+)\s*%>/g;

/**
 * Renders the UI's index.ejs, which only prints values: `<%= name %>` HTML-escaped, `<%- name %>`
 * as given (bull-board escapes that one, its JSON config, itself). Any other tag throws, so a UI
 * release whose template has logic fails the tests instead of rendering half a page.
 */
export function renderPage(template: string, params: Record<string, string>): string {
  const page = template.replace(TAG, (_, kind: string, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`bull-board template: no value for ${name}`);
    return kind === '=' ? escapeHtml(value) : value;
  });
  if (page.includes('<%')) throw new Error('bull-board template: a tag this renderer does not support');
  return page;
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );
}
