import { isDeepStrictEqual } from 'node:util';

export const ENCRYPTED_PLACEHOLDER = '[encrypted]';

export type AuditDiff = {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
};

/** What `auditScope.describe` takes: the plaintext diff, and the values that are stored encrypted. */
export interface AuditChange {
  details: AuditDiff;
  sensitive?: AuditDiff;
}

/**
 * The fields that changed between two versions of a resource. Fields listed in `encrypted` show
 * as `[encrypted]` in the plaintext diff, their old and new values go to `sensitive`, which the
 * trail stores encrypted. Fields listed in `secret` (password hashes) show as `[encrypted]` and
 * are not kept at all.
 */
export function auditDiff(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  options: { encrypted?: string[]; secret?: string[] } = {},
): AuditChange {
  const encrypted = new Set(options.encrypted ?? []);
  const secret = new Set(options.secret ?? []);
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const details: AuditDiff = { before: {}, after: {} };
  const sensitive: AuditDiff = { before: {}, after: {} };
  for (const key of [...keys].sort()) {
    const from = before?.[key] ?? null;
    const to = after?.[key] ?? null;
    if (isDeepStrictEqual(from, to)) continue;
    const hidden = encrypted.has(key) || secret.has(key);
    const shown = (value: unknown) => (value === null ? null : hidden ? ENCRYPTED_PLACEHOLDER : value);
    details.before[key] = shown(from);
    details.after[key] = shown(to);
    if (encrypted.has(key)) {
      sensitive.before[key] = from;
      sensitive.after[key] = to;
    }
  }
  const hasSensitive = Object.keys(sensitive.before).length > 0;
  return hasSensitive ? { details, sensitive } : { details };
}
