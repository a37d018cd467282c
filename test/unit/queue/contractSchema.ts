// The queue messages' definitions in the contract (contract/, the repository's copy of the shared
// contract; test/support/contract.ts compiles it).
import { contractErrors } from '../../support/contract';

/** True when `message` is valid against the contract's `$defs/<definition>`. */
export function isContractValid(definition: 'registerJob' | 'statusCheck', message: unknown): boolean {
  return contractErrors(`messages#/$defs/${definition}`, message) === null;
}
