/** Why a TLS client refused the server's certificate: a setting to fix, not a server that is merely down. */
export type CertificateRefusal = 'untrusted' | 'wrong-name' | 'not-valid-now';

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** Node's verdict on the server's certificate from its error code; undefined for any other failure. */
export function certificateRefusal(code: string | undefined): CertificateRefusal | undefined {
  if (code === undefined) return undefined;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'wrong-name';
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'not-valid-now';
  return undefined;
}

/** Not `instanceof`: Node's own errors may come from another realm (a test sandbox). */
export const isError = (value: unknown): value is Error & { code?: string } =>
  typeof value === 'object' && value !== null && typeof (value as Error).message === 'string';

/**
 * Node's reason, first line only (it names hosts and certificate names, never key material),
 * without the hint newer Nodes append about their system-CA flag: the fix here is the CA file.
 */
export const reasonOf = (error: Error): string => error.message.split('\n')[0].replace(/; if the root CA .*$/, '');
