// One in-memory Azurite for the whole run. Its connection string reaches the test workers through
// IMAGE_SYNC_TEST_STORAGE: vitest forks them after global setup, and they inherit the environment.
import { startAzurite } from '../../src/local/startAzurite';

export default async function setup(): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  process.env.IMAGE_SYNC_TEST_STORAGE = azurite.connectionString;
  return async () => {
    await azurite.stop();
  };
}
