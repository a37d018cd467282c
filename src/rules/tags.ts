// Azure treats tag names case-insensitively, so every tag look-up goes through here.

/** The value of the tag named `name` (any casing); undefined when the image has no such tag. */
export function tagValue(tags: Readonly<Record<string, string>> | null | undefined, name: string): string | undefined {
  if (tags === null || tags === undefined) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(tags)) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}
