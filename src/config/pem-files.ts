import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from './configuration-error.js';

/**
 * PEM files named by a variable, read and parsed at boot so that a wrong path or a wrong file
 * stops it with one line naming the variable, never echoing the file's contents.
 */

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;

const invalid = (message: string) => new ConfigurationError(`Invalid configuration: ${message}`);

function read(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw invalid(`${variable} cannot be read`);
  }
}

/** Every certificate of a PEM bundle (a CA bundle, or a certificate and its chain). */
export function readCertificates(variable: string, path: string): string {
  const pem = read(variable, path);
  const blocks = pem.match(CERTIFICATE);
  if (!blocks) throw invalid(`${variable} holds no PEM certificate`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw invalid(`${variable} holds a PEM certificate that does not parse`);
    }
  }
  return pem;
}

/** An unencrypted PEM private key: a passphrase would be one more secret to hold, so the file is protected instead. */
export function readPrivateKey(variable: string, path: string): { pem: string; key: KeyObject } {
  const pem = read(variable, path);
  if (!PRIVATE_KEY.test(pem)) throw invalid(`${variable} holds no PEM private key`);
  if (/ENCRYPTED/.test(pem)) throw invalid(`${variable} is encrypted: give the key unencrypted`);
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch {
    throw invalid(`${variable} holds a PEM private key that does not parse`);
  }
}

/** The first certificate of `certificates` (the client's own) must be the one `key` signs for. */
export function assertKeyPair(certVariable: string, keyVariable: string, certificates: string, key: KeyObject): void {
  const [own] = certificates.match(CERTIFICATE) as RegExpMatchArray;
  if (!new X509Certificate(own).checkPrivateKey(key)) {
    throw invalid(`${keyVariable} is not the key of the certificate in ${certVariable}`);
  }
}
