// Each adapter receives only its part of the config (issue 25): its options name a slice type from
// src/config.ts (ArmSettings, GraphSettings, …), never the whole Config, so what it reads is visible.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../../src');
const ADAPTER_FOLDERS = ['arm', 'graph', 'auth', 'alerts', 'storage', 'queue', 'state'];

/** Every name a module imports from src/config.ts (type-only or not), and any inline import('…/config').Config. */
function configImports(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(?:\.\.\/)+config'/g)) {
    for (const specifier of match[1]!.split(',')) {
      const name = specifier
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)[0]!
        .trim();
      if (name !== '') names.push(name);
    }
  }
  for (const match of source.matchAll(/import\(\s*'(?:\.\.\/)+config'\s*\)\.(\w+)/g)) names.push(match[1]!);
  return names;
}

const adapters = ADAPTER_FOLDERS.flatMap((folder) =>
  readdirSync(path.join(SRC, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(folder, file)),
);

describe('adapters and the config', () => {
  it('reads every adapter module', () => {
    expect(adapters).toContain(path.join('arm', 'sourceImageReader.ts'));
    expect(adapters.length).toBeGreaterThan(40);
  });

  it.each(adapters)('%s does not import the whole Config type', (file) => {
    expect(configImports(readFileSync(path.join(SRC, file), 'utf8'))).not.toContain('Config');
  });

  it.each([
    ['arm/createComputeClient.ts', 'ArmSettings'],
    ['arm/createResourceGraphClient.ts', 'ArmSettings'],
    ['arm/sourceImageReader.ts', 'ArmImageDiscoverySettings'],
    ['arm/galleryVersionReader.ts', 'ArmDiscoverySettings'],
    ['arm/resourceGraphSourceImageReader.ts', 'ResourceGraphDiscoverySettings'],
    ['arm/resourceGraphGalleryReader.ts', 'ResourceGraphDiscoverySettings'],
    ['arm/galleryCopies.ts', 'GallerySourceSettings'],
    ['graph/createGraphClient.ts', 'GraphSettings'],
    ['auth/createCredential.ts', 'CredentialSettings'],
  ])('%s takes its slice, %s', (file, slice) => {
    const source = readFileSync(path.join(SRC, file), 'utf8');
    expect(configImports(source)).toContain(slice);
    expect(source).toMatch(new RegExp(`config: ${slice}\\b`));
  });

  it('the check sees a type-only, an aliased and an inline import of Config', () => {
    expect(configImports("import type { Config, ImageScope } from '../config';")).toEqual(['Config', 'ImageScope']);
    expect(configImports("import { type Config as Whole } from '../../config';")).toEqual(['Config']);
    expect(configImports("type X = import('../config').Config['scope'];")).toEqual(['Config']);
  });
});
