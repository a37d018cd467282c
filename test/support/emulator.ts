// Emulators for tests, serving the run's certificate (made by certificate.globalSetup.ts, trusted
// by every worker through NODE_EXTRA_CA_CERTS).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '../../src/domain';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator';
import type { EstateInput } from '../../src/emulator';

export type TestEmulatorOptions = Omit<EmulatorOptions, 'estate' | 'tls'>;

export function runCertificate(): { cert: string; key: string; certPath: string } {
  const certPath = process.env['IMAGE_SYNC_TEST_TLS_CERT'];
  const keyPath = process.env['IMAGE_SYNC_TEST_TLS_KEY'];
  if (certPath === undefined || keyPath === undefined) {
    throw new Error(
      'IMAGE_SYNC_TEST_TLS_CERT/KEY are not set: run the tests through vitest (test/support/certificate.globalSetup.ts makes them)',
    );
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath };
}

export function startTestEmulator(estate: EstateInput, options: TestEmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ ...options, estate, tls: runCertificate() });
}

/** What a suite gets from useEmulator; valid from beforeAll on. */
export interface EmulatorFixture {
  readonly emulator: Emulator;
  /** Settings for the app: GRAPH_ENDPOINT, ARM_ENDPOINT, IMAGE_SYNC_STATIC_TOKEN, IMAGE_SYNC_SUBSCRIPTION_IDS, NODE_EXTRA_CA_CERTS. */
  readonly settings: Record<string, string>;
}

/** Starts an emulator before the suite's tests and stops it after them. */
export function useEmulator(estate: () => EstateInput, options: TestEmulatorOptions = {}): EmulatorFixture {
  let current: Emulator | null = null;
  beforeAll(async () => {
    current = await startTestEmulator(estate(), options);
  });
  afterAll(async () => {
    await current?.stop();
    current = null;
  });
  const started = (): Emulator => {
    if (current === null) throw new Error('the emulator runs from beforeAll to afterAll: use the fixture inside tests or hooks');
    return current;
  };
  return {
    get emulator() {
      return started();
    },
    get settings() {
      return { ...started().settings() };
    },
  };
}

/** A clock tests move by hand; share it with the emulator to settle uploads without waiting. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(time: Date): void;
}

export function manualClock(start = new Date('2026-11-23T09:00:00Z')): ManualClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
    set: (time) => {
      now = time.getTime();
    },
  };
}
