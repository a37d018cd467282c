// Owned by the emulator work: makes the run's TLS certificate and exports
// NODE_EXTRA_CA_CERTS, IMAGE_SYNC_TEST_TLS_CERT and IMAGE_SYNC_TEST_TLS_KEY (PEM file paths).
export default async function setup(): Promise<void> {}
