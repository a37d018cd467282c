// One TLS certificate for every emulator of the run. Node reads NODE_EXTRA_CA_CERTS only when a
// process starts, so it is set here, before vitest forks its workers, which then trust it.
import { rm } from 'node:fs/promises';
import { makeCertificate, writeCertificate } from '../../src/emulator/certificate';

const VARIABLES = ['NODE_EXTRA_CA_CERTS', 'IMAGE_SYNC_TEST_TLS_CERT', 'IMAGE_SYNC_TEST_TLS_KEY'] as const;

let directory: string | null = null;
const previous = new Map<string, string | undefined>();

export async function setup(): Promise<void> {
  const files = await writeCertificate(await makeCertificate(), 'image-sync-test-tls-');
  directory = files.directory;
  for (const name of VARIABLES) previous.set(name, process.env[name]);
  process.env['NODE_EXTRA_CA_CERTS'] = files.certPath;
  process.env['IMAGE_SYNC_TEST_TLS_CERT'] = files.certPath;
  process.env['IMAGE_SYNC_TEST_TLS_KEY'] = files.keyPath;
}

export async function teardown(): Promise<void> {
  for (const [name, value] of previous) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (directory !== null) await rm(directory, { recursive: true, force: true });
}
