// The words of the product, as types. Everything here is plain data: no I/O, no SDK types.
// Import from here ('../domain'); the files split it by concern.
export * from './sourceImages';
export * from './windows365';
export * from './ledger';
export * from './rollouts';
export * from './queueMessages';
export * from './keys';
export * from './clock';
