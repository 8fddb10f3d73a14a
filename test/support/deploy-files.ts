import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = join(__dirname, '..', '..');

export function readText(relativePath: string): string {
  return readFileSync(join(ROOT, relativePath), 'utf8');
}

/** One YAML document; `<<` merge keys resolved as Docker Compose does. */
export function readYaml<T = Record<string, unknown>>(relativePath: string): T {
  return parse(readText(relativePath), { merge: true }) as T;
}

/** Every document of a multi-document YAML file or string. */
export function parseYamlDocuments(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length) throw new Error(document.errors.map((error) => error.message).join('; '));
    return document.toJS() as Record<string, unknown>;
  });
}

/** Environment entries as a map, whether written as a map or as `KEY=value` lines. */
export function environmentOf(entries: Record<string, unknown> | string[] | undefined): Record<string, string> {
  if (!entries) return {};
  if (Array.isArray(entries)) {
    return Object.fromEntries(entries.map((line) => [line.split('=')[0], line.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, String(value)]));
}

/** Metric names a PromQL expression reads (functions, keywords, labels and groupings removed). */
export function metricsInPromQL(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = stripped.match(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g) ?? [];
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
  return [...new Set(names.filter((name) => !keywords.has(name.toLowerCase())))];
}
