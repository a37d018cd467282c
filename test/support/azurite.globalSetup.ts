// Owned by the storage work: starts Azurite in memory on free ports and exports
// IMAGE_SYNC_TEST_STORAGE (a connection string to it).
export default async function setup(): Promise<void> {}
