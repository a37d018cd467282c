// The one list of settings (src/settings/settings.json) against everything that lists them: the
// loaders, DEFAULTS, local.settings.sample.json, the README's table and, beside the repository,
// DESIGN §3.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Environment, loadConfig, loadSignInSettings } from '../../../src/config';
import { SETTINGS, type SettingEntry, defaultText, sampleValues } from '../../../src/settings/list';
import { REPO_ROOT } from '../../support/functionApp';

const SUB = '11111111-1111-4111-8111-111111111111';
const CLIENT = '5c0ffee0-0000-4000-8000-00000000c11e';
const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', IMAGE_SYNC_SUBSCRIPTION_IDS: SUB };
const names = (entries: readonly SettingEntry[]) => entries.map((entry) => entry.name).sort();

/** The names a loader reads from env. */
function readsOf(load: (env: Environment) => unknown, env: Record<string, string>): Set<string> {
  const reads = new Set<string>();
  load(
    new Proxy(env, {
      get(target, key) {
        if (typeof key === 'string') reads.add(key);
        return Reflect.get(target, key) as unknown;
      },
    }),
  );
  return reads;
}

describe('the list of settings', () => {
  it('has a loader for every entry, and every setting a loader reads is in the list', () => {
    const reads = new Set([
      ...readsOf(loadConfig, minimal),
      ...readsOf(loadConfig, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, AzureWebJobsStorage__accountName: 'stimagesync' }),
      ...readsOf(loadConfig, {
        ...minimal,
        IMAGE_SYNC_GALLERY_SOURCES: 'copy',
        IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: `/subscriptions/${SUB}/resourceGroups/rg-staging`,
      }),
      ...readsOf(loadSignInSettings, { IMAGE_SYNC_CLIENT_ID: CLIENT, AZURE_TENANT_ID: 'contoso.onmicrosoft.com' }),
    ]);
    expect([...reads].sort()).toEqual(names(SETTINGS));
  });

  it('gives DEFAULTS exactly the defaults it lists', () => {
    const listed = Object.fromEntries(SETTINGS.filter((entry) => entry.default !== null).map((entry) => [entry.name, entry.default]));
    expect({ ...DEFAULTS }).toEqual(listed);
  });

  it.each(SETTINGS.filter((entry) => entry.default !== null).map((entry) => [entry.name, entry] as const))(
    'loads %s unset as if set to its listed default',
    (name, entry) => {
      const explicit = { [name]: String(entry.default) };
      if (name === 'AZURE_AUTHORITY_HOST') {
        const signIn = { IMAGE_SYNC_CLIENT_ID: CLIENT, AZURE_TENANT_ID: 'contoso.onmicrosoft.com' };
        expect(loadSignInSettings(signIn)).toEqual(loadSignInSettings({ ...signIn, ...explicit }));
      } else {
        expect(loadConfig(minimal)).toEqual(loadConfig({ ...minimal, ...explicit }));
      }
    },
  );

  it('marks exactly the Bicep-fed settings with a Bicep parameter, each its own', () => {
    const params = SETTINGS.flatMap((entry) => (entry.bicepParam === null ? [] : [entry.bicepParam]));
    expect(new Set(params).size).toBe(params.length);
    expect(SETTINGS.filter((entry) => entry.azure === 'param').length).toBe(params.length);
  });
});

describe('local.settings.sample.json', () => {
  const sample = JSON.parse(readFileSync(path.join(REPO_ROOT, 'local.settings.sample.json'), 'utf8')) as {
    IsEncrypted: boolean;
    Values: Record<string, string>;
  };

  it('holds every setting the list marks for the sample, with its listed value, and nothing else', () => {
    expect(sample.IsEncrypted).toBe(false);
    expect(
      sample.Values,
      'local.settings.sample.json differs from src/settings/settings.json: change the list, then the sample to match',
    ).toEqual(sampleValues());
  });

  it('loads once a subscription is filled in', () => {
    expect(() => loadConfig({ ...sample.Values, IMAGE_SYNC_SUBSCRIPTION_IDS: SUB })).not.toThrow();
  });
});

/** The README's settings table, one row per setting of the list. */
function settingsTable(): string {
  const rows = SETTINGS.map((entry) => `| \`${entry.name}\` | ${defaultText(entry)} | ${entry.doc} |`);
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

describe("the README's settings table", () => {
  it('is the list, row by row, with its doc lines', () => {
    const lines = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').split('\n');
    const start = lines.indexOf('| setting | default | meaning |', lines.indexOf('## Settings'));
    expect(start, 'README.md has no settings table under "## Settings"').toBeGreaterThan(0);
    const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
    const expected = settingsTable();
    expect(
      lines.slice(start, end).join('\n'),
      `README.md's settings table differs from src/settings/settings.json; it should read:\n${expected}`,
    ).toBe(expected);
  });
});

const SHARED_DESIGN = path.resolve(REPO_ROOT, '../shared/DESIGN.md');

interface DesignRow {
  readonly required: boolean;
  /** The backticked default, or null ("none", "all", empty). */
  readonly default: string | null;
}

/** DESIGN §3's table: each setting a row names (`A` / `B` rows give one default each), with its default. */
function designRows(design: string): Map<string, DesignRow> {
  const section = design.slice(design.indexOf('## 3.'), design.indexOf('\n## 4.'));
  const rows = new Map<string, DesignRow>();
  for (const line of section.split('\n').filter((row) => row.startsWith('| `'))) {
    const [, nameCell = '', defaultCell = ''] = line.split('|');
    const rowNames = [...nameCell.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((match) => match[1]!);
    const defaults = rowNames.length > 1 ? defaultCell.split(' / ') : [defaultCell];
    rowNames.forEach((name, index) => {
      const cell = (defaults[index] ?? '').trim();
      rows.set(name, { required: cell === 'required', default: /`([^`]*)`/.exec(cell)?.[1] ?? null });
    });
  }
  return rows;
}

describe.runIf(existsSync(SHARED_DESIGN))('DESIGN §3 (only where ../shared is beside the repository)', () => {
  const rows = designRows(existsSync(SHARED_DESIGN) ? readFileSync(SHARED_DESIGN, 'utf8') : '');

  it('names every setting of the list, in a row of its own or in the row its entry names', () => {
    expect(rows.size).toBeGreaterThan(20);
    const missing = SETTINGS.filter((entry) => !rows.has(entry.designRow ?? entry.name)).map((entry) => entry.name);
    expect(missing, 'settings of src/settings/settings.json that DESIGN §3 does not have').toEqual([]);
  });

  it('has every one of its settings in the list, with the same default', () => {
    const listed = new Map(SETTINGS.map((entry) => [entry.name, entry]));
    const differences = [...rows].flatMap(([name, row]) => {
      const entry = listed.get(name);
      if (entry === undefined) return [`${name}: in DESIGN §3, not in the list`];
      const same = entry.required === row.required && (entry.default === null ? null : String(entry.default)) === row.default;
      return same ? [] : [`${name}: DESIGN §3 says ${row.required ? 'required' : String(row.default)}, the list ${defaultText(entry)}`];
    });
    expect(differences).toEqual([]);
  });
});
