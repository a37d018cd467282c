// What the handlers need from the outside world. Each port has one real implementation (src/arm,
// src/graph, src/state, src/queue, src/alerts); tests use the real ones against Azurite and the emulator.
// Import from here ('../ports'); the files split it by concern.
export type * from './sourceImages';
export type * from './windows365';
export type * from './ledger';
export type * from './rollouts';
export type * from './queues';
export type * from './slots';
export type * from './alerts';
export type * from './syncDeps';
