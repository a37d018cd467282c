// The shared contract's message schemas, compiled with ajv, to check what this app produces and accepts.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

// shared/ sits beside the repository (in CI too): <repo>/../shared/contract.
const CONTRACT = path.resolve(__dirname, '../../..', '../shared/contract/messages.schema.json');

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);

const SCHEMA_ID = 'cloudpc-image-sync/messages.schema.json';

/** True when `message` is valid against the contract's `$defs/<definition>`. */
export function isContractValid(definition: 'registerJob' | 'statusCheck', message: unknown): boolean {
  const validate = ajv.getSchema(`${SCHEMA_ID}#/$defs/${definition}`);
  if (validate === undefined) throw new Error(`the contract has no $defs/${definition}`);
  return validate(message) === true;
}
