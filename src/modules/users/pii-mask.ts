/** Masked forms shown to callers who may not see a user's PII. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

export function maskTail(value: string, visible = 2): string {
  return `***${value.slice(-visible)}`;
}

export const maskAll = (): string => '***';
