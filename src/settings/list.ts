// The one list of settings (settings.json): config loading, the sample settings, the README's table
// and the tests read it; scripts read the same JSON with fs. Parsed here so a wrong entry stops at load.
import { z } from 'zod';
import data from './settings.json';

/** Which part of the config a setting feeds: one module of src/settings each. */
export const CONCERNS = ['storage', 'scope', 'queues', 'endpoints', 'polling', 'lifecycle', 'gallery'] as const;
export type Concern = (typeof CONCERNS)[number];

/**
 * How the Function App in Azure gets the setting: `param` from the Bicep parameter `bicepParam`,
 * `template` from the deployment's own resources (identity, storage account), `never` must not be
 * set in Azure, `unset` is not set by the templates (the default applies, or the command line's only).
 */
export const AZURE_SOURCES = ['param', 'template', 'never', 'unset'] as const;

const entrySchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
    concern: z.enum(CONCERNS),
    /** Required settings have no default. */
    required: z.boolean(),
    /** What the app uses when the setting is unset, as the type the app reads it as; null: none. */
    default: z.union([z.string(), z.number(), z.boolean()]).nullable(),
    bicepParam: z
      .string()
      .regex(/^[a-z][A-Za-z0-9]*$/)
      .nullable(),
    azure: z.enum(AZURE_SOURCES),
    /** Whether local.settings.sample.json carries it. */
    sample: z.boolean(),
    /** The sample's value when not the default (or empty). */
    sampleValue: z.string().optional(),
    /** The DESIGN §3 row that documents it, when not a row of its own. */
    designRow: z.string().optional(),
    /** One line for the README's settings table (Markdown). */
    doc: z.string().min(1),
  })
  .refine((entry) => !(entry.required && entry.default !== null), 'a required setting has no default')
  .refine((entry) => (entry.azure === 'param') === (entry.bicepParam !== null), 'bicepParam is set exactly when azure is param')
  .refine((entry) => !entry.doc.includes('|') && !entry.doc.includes('\n'), 'doc is one table cell: no | or line break');

const listSchema = z.strictObject({
  $comment: z.string(),
  /** Values the local Functions host needs that the app does not read. */
  sampleHostValues: z.record(z.string(), z.string()),
  settings: z
    .array(entrySchema)
    .refine((entries) => new Set(entries.map((entry) => entry.name)).size === entries.length, 'names are unique'),
});

export type SettingEntry = z.infer<typeof entrySchema>;

const parsed = listSchema.parse(data);

export const SETTINGS: readonly SettingEntry[] = Object.freeze(parsed.settings.map((entry) => Object.freeze(entry)));
export const SAMPLE_HOST_VALUES: Readonly<Record<string, string>> = Object.freeze(parsed.sampleHostValues);

const byName = new Map(SETTINGS.map((entry) => [entry.name, entry]));

export function settingEntry(name: string): SettingEntry {
  const entry = byName.get(name);
  if (entry === undefined) throw new Error(`${name} is not in src/settings/settings.json: add it there`);
  return entry;
}

function defaultOf(name: string, type: 'string' | 'number' | 'boolean'): unknown {
  const value = settingEntry(name).default;
  if (typeof value !== type) throw new Error(`${name}: its default in src/settings/settings.json is not a ${type}`);
  return value;
}

export const textDefault = (name: string): string => defaultOf(name, 'string') as string;
export const numberDefault = (name: string): number => defaultOf(name, 'number') as number;
export const flagDefault = (name: string): boolean => defaultOf(name, 'boolean') as boolean;

/** The values local.settings.sample.json holds: the host's own, then every setting marked for the sample. */
export function sampleValues(): Record<string, string> {
  const values: Record<string, string> = { ...SAMPLE_HOST_VALUES };
  for (const entry of SETTINGS) {
    if (entry.sample) values[entry.name] = entry.sampleValue ?? (entry.default === null ? '' : String(entry.default));
  }
  return values;
}

/** The default column of the README's table: `required`, `none`, or the value. */
export function defaultText(entry: SettingEntry): string {
  if (entry.required) return 'required';
  return entry.default === null ? 'none' : `\`${String(entry.default)}\``;
}
