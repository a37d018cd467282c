// How long the app gives a Graph create: the adapter enforces these (src/graph/deviceImageApi.ts)
// and the register handler sizes its claim of the ledger row from them (CLAIM_LEASE_MS).

/** The longest a create may take, retries on 429 included; a claim of the ledger outlasts it. */
export const CREATE_TIMEOUT_MS = 60_000;
/**
 * The longest a create waits for an earlier Retry-After before it is sent; a longer wait fails the
 * call unsent (a TransientError carrying the wait), so a create always goes out within
 * CREATE_WAIT_LIMIT_MS + CREATE_TIMEOUT_MS of its claim.
 */
export const CREATE_WAIT_LIMIT_MS = 20_000;
