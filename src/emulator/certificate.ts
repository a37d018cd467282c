// The emulator's TLS certificate: self-signed for the loopback names, so clients can trust it
// through NODE_EXTRA_CA_CERTS (the Azure SDK's bearer-token policy refuses plain http).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsCertificate {
  /** PEM of the certificate; it is its own trust anchor. */
  readonly cert: string;
  /** PEM of the private key. */
  readonly key: string;
}

export interface CertificateFiles {
  readonly directory: string;
  readonly certPath: string;
  readonly keyPath: string;
}

const VALIDITY_DAYS = 30;

export async function makeCertificate(): Promise<TlsCertificate> {
  // Loaded on use: a development dependency, and slow to load for callers that bring a certificate.
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_DAYS * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Writes both PEMs to a new private temp directory (the key file is readable by the owner only). */
export async function writeCertificate(certificate: TlsCertificate, prefix = 'image-sync-tls-'): Promise<CertificateFiles> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  const certPath = join(directory, 'emulator-cert.pem');
  const keyPath = join(directory, 'emulator-key.pem');
  await writeFile(certPath, certificate.cert, { mode: 0o644 });
  await writeFile(keyPath, certificate.key, { mode: 0o600 });
  return { directory, certPath, keyPath };
}
