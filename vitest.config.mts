import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One certificate for every emulator of the run (trusted by the workers through
    // NODE_EXTRA_CA_CERTS, which Node reads only at start), and one in-memory Azurite.
    globalSetup: ['test/support/certificate.globalSetup.ts', 'test/support/azurite.globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The suites mostly wait (on emulated uploads, queue delays, child processes), not compute:
    // on CI's 2 cores, three files at once roughly halves the wall time.
    maxWorkers: 3,
  },
});
