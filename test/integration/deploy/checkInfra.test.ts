import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(REPO, 'scripts/check-infra.mjs');
const copies: string[] = [];

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

function findings(root: string): string[] {
  const run = spawnSync(process.execPath, [SCRIPT, '--root', root, '--json'], { encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout) as { findings: string[] };
  expect(run.status).toBe(result.findings.length === 0 ? 0 : 1);
  return result.findings;
}

/** A copy of what the check reads, with one edit applied. */
function mutated(file: string, edit: (text: string) => string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'image-sync-infra-'));
  copies.push(root);
  for (const entry of ['infra', 'azure.yaml', 'package.json', 'scripts', 'docs/deployment.md']) {
    mkdirSync(path.dirname(path.join(root, entry)), { recursive: true });
    cpSync(path.join(REPO, entry), path.join(root, entry), { recursive: true });
  }
  const target = path.join(root, file);
  const before = readFileSync(target, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(target, after);
  return root;
}

describe('scripts/check-infra.mjs (static check of infra/ and azure.yaml)', () => {
  it('finds nothing wrong in the templates as committed', () => {
    expect(findings(REPO)).toEqual([]);
  });

  it('reports a Bicep syntax error with its file and line', () => {
    const root = mutated('infra/modules/storage.bicep', (text) => text.replace("  name: 'default'\n}", "  name: 'default'\n"));
    expect(findings(root).some((finding) => /^infra\/modules\/storage\.bicep:\d+: syntax error/.test(finding))).toBe(true);
  });

  it('reports a param without a description', () => {
    const root = mutated('infra/modules/identity.bicep', (text) => text.replace("@description('Region of the identity.')\n", ''));
    expect(findings(root)).toContainEqual(expect.stringMatching(/identity\.bicep:\d+: param location has no @description/));
  });

  it('reports module params that do not exist or are missing, and outputs that do not exist', () => {
    const root = mutated('infra/main.bicep', (text) =>
      text
        .replace("    name: 'id-imagesync-${resourceToken}'\n", "    nmae: 'id-imagesync-${resourceToken}'\n")
        .replace('identity.outputs.clientId\n', 'identity.outputs.clientID\n'),
    );
    const found = findings(root);
    expect(found).toContainEqual(expect.stringMatching(/module identity passes "nmae", which identity\.bicep does not declare/));
    expect(found).toContainEqual(expect.stringMatching(/module identity does not pass required param "name"/));
    expect(found).toContainEqual(expect.stringMatching(/identity\.outputs\.clientID is not an output of identity\.bicep/));
  });

  it('reports a setting whose default drifts from DESIGN §3, in main.bicep or main.parameters.json', () => {
    const root = mutated('infra/main.bicep', (text) => text.replace("param imageSyncTag string = 'cloudpc-sync=true'", "param imageSyncTag string = 'sync=yes'"));
    const found = findings(root);
    expect(found).toContainEqual('infra/main.bicep: param imageSyncTag (IMAGE_SYNC_TAG) defaults to "sync=yes", DESIGN §3 says "cloudpc-sync=true"');
    expect(found).toContainEqual('infra/main.parameters.json: "imageSyncTag" defaults to "cloudpc-sync=true" but main.bicep to "sync=yes"');
  });

  it('reports a DESIGN §3 setting that no longer reaches the Function App', () => {
    const root = mutated('infra/main.bicep', (text) => text.replace('    IMAGE_SYNC_TABLE: imageSyncTable\n', ''));
    expect(findings(root)).toContainEqual('app settings: IMAGE_SYNC_TABLE (DESIGN §3) is not set on the Function App');
  });

  it('reports settings Flex Consumption rejects and shared-key storage', () => {
    const root = mutated('infra/modules/function-app.bicep', (text) =>
      text.replace("    AZURE_CLIENT_ID: identityClientId\n", "    AZURE_CLIENT_ID: identityClientId\n    FUNCTIONS_WORKER_RUNTIME: 'node'\n"),
    );
    expect(findings(root)).toContainEqual('app settings: FUNCTIONS_WORKER_RUNTIME must not be set in Azure');
    const keys = mutated('infra/modules/storage.bicep', (text) => text.replace('allowSharedKeyAccess: false', 'allowSharedKeyAccess: true'));
    expect(findings(keys)).toContainEqual('infra: the storage account must set allowSharedKeyAccess: false');
  });

  it('reports an azure.yaml that would deploy something other than the package', () => {
    const root = mutated('azure.yaml', (text) => text.replace('dist: artifacts/cloudpc-image-sync', 'dist: dist'));
    expect(findings(root)).toContainEqual('azure.yaml: dist must be artifacts/cloudpc-image-sync (what npm run package writes)');
  });

  it('reports documentation that no longer shows the alert query', () => {
    const root = mutated('infra/modules/monitoring.bicep', (text) => text.replace('severityLevel >= 3', 'severityLevel >= 2'));
    expect(findings(root)).toContainEqual("docs/deployment.md: does not show the alert rule's query as infra/modules/monitoring.bicep has it");
  });
});
