import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(__dirname, '../../../scripts/grant-graph-permission.mjs');
const TOKEN = 'test-graph-token';
const ARM_TOKEN = 'test-arm-token';
const GRAPH_SP = 'aaaaaaaa-0000-4000-8000-000000000001';
const IDENTITY = 'bbbbbbbb-0000-4000-8000-000000000002';
const WINDOWS_365_SP = 'cccccccc-0000-4000-8000-000000000003';
// Not the published id: the script must use what the tenant's appRoles say.
const ROLE_READ_WRITE = 'dddddddd-0000-4000-8000-000000000004';
const ROLE_READ = 'dddddddd-0000-4000-8000-000000000005';
const ROLE_CATALOGUE = 'dddddddd-0000-4000-8000-000000000006';
const SUB_READABLE = '11111111-1111-4111-8111-111111111111';
const SUB_UNREADABLE = '22222222-2222-4222-8222-222222222222';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** Enough of Microsoft Graph and ARM for the script's few calls; records every request. */
class FakeTenant {
  readonly requests: Recorded[] = [];
  alreadyGranted = false;

  handle(method: string, url: URL): { status: number; body?: unknown } {
    const filter = url.searchParams.get('$filter') ?? '';
    const route = `${method} ${url.pathname}`;
    if (route === 'GET /v1.0/servicePrincipals' && filter === "appId eq '00000003-0000-0000-c000-000000000000'") {
      return {
        status: 200,
        body: {
          value: [
            {
              id: GRAPH_SP,
              appId: '00000003-0000-0000-c000-000000000000',
              displayName: 'Microsoft Graph',
              appRoles: [
                { id: ROLE_READ, value: 'CloudPC.Read.All', allowedMemberTypes: ['Application'], isEnabled: true },
                { id: ROLE_READ_WRITE, value: 'CloudPC.ReadWrite.All', allowedMemberTypes: ['Application'], isEnabled: true },
                {
                  id: ROLE_CATALOGUE,
                  value: 'DeviceManagementConfiguration.Read.All',
                  allowedMemberTypes: ['Application'],
                  isEnabled: true,
                },
              ],
            },
          ],
        },
      };
    }
    if (route === 'GET /v1.0/servicePrincipals' && filter === "appId eq '0af06dc6-e4b5-4f28-818e-e78e62d137a5'") {
      return {
        status: 200,
        body: { value: [{ id: WINDOWS_365_SP, appId: '0af06dc6-e4b5-4f28-818e-e78e62d137a5', displayName: 'Windows 365' }] },
      };
    }
    if (route === `GET /v1.0/servicePrincipals/${IDENTITY}`) {
      return { status: 200, body: { id: IDENTITY, displayName: 'id-imagesync', servicePrincipalType: 'ManagedIdentity' } };
    }
    if (route === `GET /v1.0/servicePrincipals/${IDENTITY}/appRoleAssignments`) {
      const granted = [
        { id: 'existing-assignment', principalId: IDENTITY, resourceId: GRAPH_SP, appRoleId: ROLE_READ_WRITE },
        { id: 'existing-catalogue', principalId: IDENTITY, resourceId: GRAPH_SP, appRoleId: ROLE_CATALOGUE },
      ];
      return { status: 200, body: { value: this.alreadyGranted ? granted : [] } };
    }
    if (route === `POST /v1.0/servicePrincipals/${GRAPH_SP}/appRoleAssignedTo`) {
      return { status: 201, body: { id: 'new-assignment' } };
    }
    const roleAssignments = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Authorization\/roleAssignments$/.exec(url.pathname);
    if (method === 'GET' && roleAssignments) {
      const readable = roleAssignments[1] === SUB_READABLE;
      const reader = {
        properties: {
          scope: `/subscriptions/${SUB_READABLE}`,
          principalId: WINDOWS_365_SP,
          roleDefinitionId: `/subscriptions/${SUB_READABLE}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
        },
      };
      // A resource-group Reader does not let Windows 365 read the whole subscription.
      const narrow = {
        properties: {
          scope: `/subscriptions/${SUB_UNREADABLE}/resourceGroups/rg-images`,
          principalId: WINDOWS_365_SP,
          roleDefinitionId: `/subscriptions/${SUB_UNREADABLE}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
        },
      };
      return { status: 200, body: { value: readable ? [reader] : [narrow] } };
    }
    if (method === 'PUT' && /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/.test(url.pathname)) {
      return { status: 201, body: { id: url.pathname } };
    }
    return { status: 404, body: { error: { code: 'NotFound', message: route } } };
  }

  writes(): Recorded[] {
    return this.requests.filter((request) => request.method !== 'GET');
  }
}

let server: Server;
let endpoint: string;
let certFile: string;
let tempDir: string;
const tenant = new FakeTenant();

async function tlsFiles(): Promise<{ cert: string; key: string }> {
  const cert = process.env.IMAGE_SYNC_TEST_TLS_CERT;
  const key = process.env.IMAGE_SYNC_TEST_TLS_KEY;
  if (cert && key) return { cert, key };
  // The run-wide certificate is not there (suite run on its own): make one for this suite.
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  writeFileSync(path.join(tempDir, 'cert.pem'), pems.cert);
  writeFileSync(path.join(tempDir, 'key.pem'), pems.private);
  return { cert: path.join(tempDir, 'cert.pem'), key: path.join(tempDir, 'key.pem') };
}

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(tmpdir(), 'image-sync-grant-'));
  const files = await tlsFiles();
  certFile = files.cert;
  server = createServer({ cert: readFileSync(files.cert), key: readFileSync(files.key) }, (request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'https://localhost');
      tenant.requests.push({
        method: request.method ?? '',
        path: `${url.pathname}${url.search}`,
        authorization: request.headers.authorization,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      });
      const answer = tenant.handle(request.method ?? '', url);
      response.writeHead(answer.status, { 'Content-Type': 'application/json' });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(tempDir, { recursive: true, force: true });
});

beforeEach(() => {
  tenant.requests.length = 0;
  tenant.alreadyGranted = false;
});

function runScript(extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = [
    SCRIPT,
    '--principal-id',
    IDENTITY,
    '--subscription-ids',
    `${SUB_READABLE},${SUB_UNREADABLE}`,
    '--token',
    TOKEN,
    '--arm-token',
    ARM_TOKEN,
    '--graph-endpoint',
    endpoint,
    '--arm-endpoint',
    endpoint,
    ...extra,
  ];
  return new Promise((resolve, reject) => {
    // The child trusts the test certificate the way every worker of the run does.
    const child = spawn(process.execPath, args, { env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('scripts/grant-graph-permission.mjs', () => {
  it('--dry-run reads, prints the plan and the fix, and sends nothing that changes the tenant', async () => {
    const run = await runScript(['--dry-run']);

    expect(run.stderr).toBe('');
    expect(tenant.writes()).toEqual([]);
    expect(run.stdout).toContain(`Application permission CloudPC.ReadWrite.All: app role ${ROLE_READ_WRITE}`);
    expect(run.stdout).toContain(`Managed identity: ${IDENTITY} (id-imagesync, ManagedIdentity)`);
    expect(run.stdout).toContain(
      `Would grant CloudPC.ReadWrite.All: POST ${endpoint}/v1.0/servicePrincipals/${GRAPH_SP}/appRoleAssignedTo`,
    );
    expect(run.stdout).toContain(JSON.stringify({ principalId: IDENTITY, resourceId: GRAPH_SP, appRoleId: ROLE_READ_WRITE }));
    expect(run.stdout).toContain(`Application permission DeviceManagementConfiguration.Read.All: app role ${ROLE_CATALOGUE}`);
    expect(run.stdout).toContain(
      `Would grant DeviceManagementConfiguration.Read.All: POST ${endpoint}/v1.0/servicePrincipals/${GRAPH_SP}/appRoleAssignedTo`,
    );
    expect(run.stdout).toContain(`subscription ${SUB_READABLE}: Windows 365 can read it.`);
    expect(run.stdout).toContain(
      `az role assignment create --assignee-object-id ${WINDOWS_365_SP} --assignee-principal-type ServicePrincipal --role Reader --scope /subscriptions/${SUB_UNREADABLE}`,
    );
    expect(run.stdout).toContain('Dry run: nothing was changed.');
    // One subscription still needs attention.
    expect(run.code).toBe(2);
  });

  it('--dry-run with --apply-windows365-reader still changes nothing', async () => {
    const run = await runScript(['--dry-run', '--apply-windows365-reader']);
    expect(tenant.writes()).toEqual([]);
    expect(run.stdout).toContain(`subscription ${SUB_UNREADABLE}: Would assign Reader for Windows 365.`);
    expect(run.code).toBe(2);
  });

  it('grants the app roles found by value (CloudPC.ReadWrite.All, and DeviceManagementConfiguration.Read.All for the catalogue), one POST each carrying the right body and token', async () => {
    const run = await runScript([]);

    expect(run.stderr).toBe('');
    const grant = (appRoleId: string) => ({
      method: 'POST',
      path: `/v1.0/servicePrincipals/${GRAPH_SP}/appRoleAssignedTo`,
      authorization: `Bearer ${TOKEN}`,
      body: { principalId: IDENTITY, resourceId: GRAPH_SP, appRoleId },
    });
    expect(tenant.writes()).toEqual([grant(ROLE_READ_WRITE), grant(ROLE_CATALOGUE)]);
    expect(run.stdout).toContain('Granted CloudPC.ReadWrite.All (assignment new-assignment)');
    expect(run.stdout).toContain('Granted DeviceManagementConfiguration.Read.All (assignment new-assignment)');
    // Reader for Windows 365 is only reported, not assigned, without --apply-windows365-reader.
    expect(run.code).toBe(2);
    const armCalls = tenant.requests.filter((request) => request.path.startsWith('/subscriptions/'));
    expect(armCalls.every((request) => request.authorization === `Bearer ${ARM_TOKEN}`)).toBe(true);
  });

  it('--apply-windows365-reader assigns Reader where it is missing, at subscription scope', async () => {
    const run = await runScript(['--apply-windows365-reader']);

    const puts = tenant.writes().filter((request) => request.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.path).toMatch(
      new RegExp(
        `^/subscriptions/${SUB_UNREADABLE}/providers/Microsoft\\.Authorization/roleAssignments/[0-9a-f-]{36}\\?api-version=2022-04-01$`,
      ),
    );
    expect(puts[0]?.body).toEqual({
      properties: {
        roleDefinitionId: `/subscriptions/${SUB_UNREADABLE}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
        principalId: WINDOWS_365_SP,
        principalType: 'ServicePrincipal',
      },
    });
    expect(run.code).toBe(0);
  });

  it('does nothing when the permissions are already granted', async () => {
    tenant.alreadyGranted = true;
    const run = await runScript(['--subscription-ids', SUB_READABLE]);
    expect(tenant.writes()).toEqual([]);
    expect(run.stdout).toContain('Already granted: CloudPC.ReadWrite.All (assignment existing-assignment)');
    expect(run.stdout).toContain('Already granted: DeviceManagementConfiguration.Read.All (assignment existing-catalogue)');
    expect(run.code).toBe(0);
  });

  it('--without-catalogue grants CloudPC.ReadWrite.All alone', async () => {
    const run = await runScript(['--without-catalogue', '--subscription-ids', SUB_READABLE]);
    expect(tenant.writes().map((request) => request.body)).toEqual([
      { principalId: IDENTITY, resourceId: GRAPH_SP, appRoleId: ROLE_READ_WRITE },
    ]);
    expect(run.stdout).not.toContain('DeviceManagementConfiguration.Read.All');
    expect(run.code).toBe(0);
  });

  it('refuses to run without a principal id, naming the option', async () => {
    const child = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const process_ = spawn(process.execPath, [SCRIPT, '--token', TOKEN], { env: { ...process.env, AZURE_IDENTITY_PRINCIPAL_ID: '' } });
      let stderr = '';
      process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      process_.on('close', (code) => resolve({ code, stderr }));
    });
    expect(child.code).toBe(1);
    expect(child.stderr).toContain('--principal-id is required');
    expect(tenant.requests).toEqual([]);
  });
});
