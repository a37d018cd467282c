// The repository keeps its own copy of the shared contract (contract/) and of the API notes' example
// payloads the tests use (test/fixtures/api/), so a clone with nothing beside it builds and passes
// its tests. Where ../shared is beside the repository (as in CI), each copy must equal it byte for
// byte: a change to the shared contract reaches the repository only by copying it in.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_DIR, CONTRACT_FILES } from '../../support/contract';
import { REPO_ROOT } from '../../support/functionApp';

const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');
const API_FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures/api');
const jsonFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.json')).sort();

/** Each copy in the repository, where it comes from in ../shared, and how to bring in a new version. */
const COPIES = [
  { copy: 'contract', shared: 'contract', files: [...CONTRACT_FILES], update: 'cp ../shared/contract/*.json contract/' },
  { copy: 'test/fixtures/api', shared: 'api/examples', files: jsonFiles(API_FIXTURES_DIR), update: 'cp ../shared/api/examples/*.json test/fixtures/api/' },
] as const;

describe("the repository's own copies", () => {
  it.each(CONTRACT_FILES)('contract/%s is a JSON Schema (2020-12) with the contract $id', (file) => {
    const schema = JSON.parse(readFileSync(path.join(CONTRACT_DIR, file), 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`cloudpc-image-sync/${file}`);
  });

  it('test/fixtures/api holds the Event Grid example the tests read, and every payload there is JSON', () => {
    expect(COPIES[1].files).toContain('eventgrid-image-written.json');
    for (const file of COPIES[1].files) expect(() => JSON.parse(readFileSync(path.join(API_FIXTURES_DIR, file), 'utf8')), file).not.toThrow();
  });
});

describe.runIf(existsSync(SHARED_DIR))('the copies equal ../shared byte for byte (only where ../shared is beside the repository)', () => {
  it('contract/ holds every schema of ../shared/contract', () => {
    expect(jsonFiles(CONTRACT_DIR), `../shared/contract has schemas contract/ lacks (or the reverse): copy the new version (cp ../shared/contract/*.json contract/) and list it in test/support/contract.ts`).toEqual(jsonFiles(path.join(SHARED_DIR, 'contract')));
  });

  const cases = COPIES.flatMap(({ copy, shared, files, update }) => files.map((file) => [`${copy}/${file}`, `${shared}/${file}`, update] as const));

  it.each(cases)('%s equals ../shared/%s', (copy, shared, update) => {
    const sharedPath = path.join(SHARED_DIR, shared);
    expect(existsSync(sharedPath), `../shared/${shared} is gone: remove ${copy} if nothing reads it, or ask why it went`).toBe(true);
    const same = readFileSync(path.join(REPO_ROOT, copy)).equals(readFileSync(sharedPath));
    expect(same, `${copy} differs from ../shared/${shared}: copy the new version (${update}), then run the tests`).toBe(true);
  });
});
