import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { estate, startEmulator } from '../../../src/emulator';
import { startTestEmulator } from '../../support/emulator';

const run = promisify(execFile);

describe('the emulator certificate and its trust', () => {
  it('is trusted by this forked worker from its start: a plain fetch needs no TLS options', async () => {
    expect(process.env['NODE_EXTRA_CA_CERTS']).toBe(process.env['IMAGE_SYNC_TEST_TLS_CERT']);
    const emulator = await startTestEmulator(estate());
    try {
      expect(emulator.caCertificatePath).toBe(process.env['IMAGE_SYNC_TEST_TLS_CERT']);
      const answer = await fetch(`${emulator.url}/v1.0/deviceManagement/virtualEndpoint/deviceImages`, {
        headers: { Authorization: `Bearer ${emulator.token}` },
      });
      expect(answer.status).toBe(200);
    } finally {
      await emulator.stop();
    }
  });

  it('makes its own certificate for the loopback names when given none, trusted by a child process through NODE_EXTRA_CA_CERTS', async () => {
    const emulator = await startEmulator({ estate: estate() });
    try {
      const certificate = new X509Certificate(readFileSync(emulator.caCertificatePath));
      expect(certificate.subjectAltName).toContain('DNS:localhost');
      expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(certificate.subjectAltName).toMatch(/IP Address:(::1|0:0:0:0:0:0:0:1)/);
      await expect(fetch(emulator.url)).rejects.toThrow();
      const script = `fetch(process.env.GRAPH_ENDPOINT + '/beta/deviceManagement/virtualEndpoint/deviceImages', { headers: { Authorization: 'Bearer ' + process.env.IMAGE_SYNC_STATIC_TOKEN } }).then((answer) => console.log(answer.status))`;
      const child = await run(process.execPath, ['-e', script], { env: { PATH: process.env['PATH'], ...emulator.settings() } });
      expect(child.stdout.trim()).toBe('200');
    } finally {
      await emulator.stop();
    }
  });

  it('closes kept-alive connections promptly on stop, and refuses connections afterwards', async () => {
    const emulator = await startTestEmulator(estate());
    const url = `${emulator.url}/v1.0/deviceManagement/virtualEndpoint/deviceImages`;
    const headers = { Authorization: `Bearer ${emulator.token}` };
    expect((await fetch(url, { headers })).status).toBe(200);
    const started = performance.now();
    await emulator.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(fetch(url, { headers })).rejects.toThrow();
  });
});
