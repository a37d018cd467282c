// The contract's JSON Schemas: the repository's own copy in contract/ (of the shared contract;
// test/unit/contract/sharedCopy.test.ts checks it against ../shared when that is beside the
// repository), compiled once with ajv, to check what the app produces and accepts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The repository's copy of the contract. */
export const CONTRACT_DIR = path.resolve(__dirname, '../../contract');
export const CONTRACT_FILES = ['messages.schema.json', 'status.schema.json'] as const;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
for (const file of CONTRACT_FILES) ajv.addSchema(JSON.parse(readFileSync(path.join(CONTRACT_DIR, file), 'utf8')) as object);

/** Validates against a contract schema (`status`) or one of its definitions (`messages#/$defs/registerJob`); returns ajv's errors as text, or null when valid. */
export function contractErrors(
  schema: 'status' | 'messages#/$defs/registerJob' | 'messages#/$defs/statusCheck',
  value: unknown,
): string | null {
  const [file, pointer] = schema.split('#');
  const validate = ajv.getSchema(`cloudpc-image-sync/${file}.schema.json${pointer === undefined ? '' : `#${pointer}`}`);
  if (validate === undefined) throw new Error(`the contract has no ${schema}`);
  return validate(value) === true ? null : ajv.errorsText(validate.errors);
}
