import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
}

export interface CertificateRequest {
  commonName: string;
  /** subjectAltName entries; a server certificate is checked against these, never the CN. */
  dns?: string[];
  ip?: string[];
}

/** A throwaway certificate authority in a temp dir (`openssl`, P-256, valid one day). */
export interface TestCertificateAuthority {
  caFile: string;
  issue(name: string, request: CertificateRequest): IssuedCertificate;
  remove(): void;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

export function aCertificateAuthority(commonName = 'Compliance Kit test CA'): TestCertificateAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'ck-test-ca-'));
  const caFile = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  openssl(
    ['req', '-x509', ...EC_KEY, '-days', '1', '-subj', `/CN=${commonName}`].concat(
      ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      ['-keyout', caKey, '-out', caFile],
    ),
  );
  return {
    caFile,
    issue: (name, { commonName: cn, dns = [], ip = [] }) => {
      const issued = { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
      const csr = join(dir, `${name}.csr`);
      const extensions = join(dir, `${name}.ext`);
      const names = [...dns.map((entry) => `DNS:${entry}`), ...ip.map((entry) => `IP:${entry}`)];
      writeFileSync(
        extensions,
        ['basicConstraints=CA:FALSE', ...(names.length ? [`subjectAltName=${names.join(',')}`] : [])].join('\n'),
      );
      openssl(['req', ...EC_KEY, '-subj', `/CN=${cn}`, '-keyout', issued.keyFile, '-out', csr]);
      openssl(
        ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-days', '1'].concat([
          '-extfile',
          extensions,
          '-out',
          issued.certFile,
        ]),
      );
      return issued;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
