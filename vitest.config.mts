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
  },
});
