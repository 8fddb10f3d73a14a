import { isDeepStrictEqual } from 'node:util';

export const ENCRYPTED_PLACEHOLDER = '[encrypted]';

export type AuditDiff = {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
};

/**
 * The fields that changed between two versions of a resource. Fields listed in `encrypted` are
 * compared but shown only as `[encrypted]`, so plaintext never reaches the audit trail.
 */
export function auditDiff(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  options: { encrypted?: string[] } = {},
): AuditDiff {
  const encrypted = new Set(options.encrypted ?? []);
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const diff: AuditDiff = { before: {}, after: {} };
  for (const key of [...keys].sort()) {
    const from = before?.[key];
    const to = after?.[key];
    if (isDeepStrictEqual(from ?? null, to ?? null)) continue;
    const shown = (value: unknown) => (value == null ? null : encrypted.has(key) ? ENCRYPTED_PLACEHOLDER : value);
    diff.before[key] = shown(from);
    diff.after[key] = shown(to);
  }
  return diff;
}
