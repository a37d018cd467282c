// Which ledger row a test reads: a registration is a source image at a version (DESIGN §4, §7).
// The tests' images are named `<displayName>-MAJOR.MINOR.PATCH`, so by default the version is the
// one the image's name gives; a test whose image takes its version from elsewhere says it.
import { parseManagedImageId } from '../../src/parse/managedImageId';
import { splitVersionSuffix } from '../../src/rules/naming';
import type { RegistrationRef } from '../../src/ports';

export function registration(sourceImageResourceId: string, version?: string | null): RegistrationRef {
  if (version !== undefined) return { sourceImageResourceId, version };
  const name = parseManagedImageId(sourceImageResourceId)?.name;
  const named = name === undefined ? null : splitVersionSuffix(name)?.version;
  if (named === null || named === undefined)
    throw new Error(`registration(): the name of ${sourceImageResourceId} gives no version; pass the version`);
  return { sourceImageResourceId, version: named };
}
