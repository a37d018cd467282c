// The rebuild pipelines of examples/ (DESIGN §16) read the JSON the app really posts: the alerter
// sends ImageSyncRebuildNeeded to a local HTTPS receiver, and every field each pipeline reads from
// its trigger is in what arrived; the pipelines' version step runs in bash on it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAlerter } from '../../../src/alerts/alerter';
import { recordingLogger } from '../../fixtures/recordingLogger';
import { sourceImageId } from '../../fixtures/sourceImage';
import { runCertificate } from '../../support/emulator';
import { REPO_ROOT } from '../../support/functionApp';

const readExample = (name: string) => readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');
let payload: Record<string, unknown> = {};

/** Posts one rebuild request through the app's alerter and keeps what the receiver got. */
beforeAll(async () => {
  const { cert, key } = runCertificate();
  const bodies: string[] = [];
  const server = createServer({ cert, key }, (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200).end();
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  try {
    await createAlerter({
      log: recordingLogger().log,
      webhookUrl: null,
      rebuildWebhookUrl: `https://127.0.0.1:${port}/hook`,
    }).rebuildNeeded({
      displayName: 'win11-ent',
      version: '1.3.0',
      sourceImageResourceId: sourceImageId('win11-ent'),
      osVersionNumber: '10.0.26100.4349',
      latestBuild: '26100.4946',
      patchLag: 2,
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  payload = JSON.parse(bodies[0] ?? '{}') as Record<string, unknown>;
});

/** Every `<prefix>.<field>` a pipeline reads. */
function fieldsRead(text: string, prefix: string): string[] {
  const pattern = new RegExp(`${prefix.replace(/\./g, '\\.')}\\.([A-Za-z]+)`, 'g');
  return [...new Set([...text.matchAll(pattern)].map((match) => match[1] ?? ''))].sort();
}

/** Runs a step's bash the way the runner would, with `$(name)` / `${{ … }}` already substituted. */
function runBash(script: string, env: Record<string, string>): string {
  return execFileSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });
}

describe('the rebuild examples and the ImageSyncRebuildNeeded JSON', () => {
  it('posts the documented fields', () => {
    expect(Object.keys(payload).sort()).toEqual(
      ['at', 'displayName', 'event', 'latestBuild', 'osVersionNumber', 'patchLag', 'sourceImageResourceId', 'version'].sort(),
    );
    expect(payload['event']).toBe('ImageSyncRebuildNeeded');
  });

  it('GitHub Actions: starts on repository_dispatch, reads only fields the app sends, and computes the next version', () => {
    const text = readExample('github-actions/rebuild-on-update.yml');
    const workflow = parse(text) as {
      on: { repository_dispatch: { types: string[] } };
      jobs: { rebuild: { steps: { id?: string; run?: string }[] } };
    };
    expect(workflow.on.repository_dispatch.types).toEqual(['image-sync-rebuild-needed']);
    const read = fieldsRead(text, 'github.event.client_payload');
    expect(read).toEqual(['displayName', 'latestBuild', 'patchLag', 'sourceImageResourceId', 'version']);
    for (const field of read) expect(payload[field], field).not.toBeUndefined();
    expect(text).not.toMatch(/secrets\.|client-secret|creds:/);

    const step = workflow.jobs.rebuild.steps.find((candidate) => candidate.id === 'version');
    const script = (step?.run ?? '').replace(/\$\{\{\s*github\.event\.client_payload\.(\w+)\s*\}\}/g, (_, field: string) =>
      String(payload[field]),
    );
    const directory = mkdtempSync(path.join(tmpdir(), 'rebuild-gh-'));
    try {
      const output = path.join(directory, 'output');
      runBash(script, {
        GITHUB_OUTPUT: output,
        CURRENT_VERSION: String(payload['version']),
        SOURCE_IMAGE_ID: String(payload['sourceImageResourceId']),
        LATEST_BUILD: String(payload['latestBuild']),
      });
      expect(readFileSync(output, 'utf8')).toBe('version=1.3.1\n');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('Azure Pipelines: starts on the incoming webhook filtered on the event, reads only fields the app sends, and computes the next version', () => {
    const text = readExample('azure-devops/rebuild-on-update.yml');
    const pipeline = parse(text) as {
      resources: { webhooks: { webhook: string; connection: string; filters: { path: string; value: string }[] }[] };
      jobs: { steps: { name?: string; bash?: string }[] }[];
    };
    const [hook] = pipeline.resources.webhooks;
    expect(hook?.webhook).toBe('imageSyncRebuild');
    for (const filter of hook?.filters ?? []) expect(payload[filter.path]).toBe(filter.value);
    const read = fieldsRead(text, 'parameters.imageSyncRebuild');
    expect(read).toEqual(['latestBuild', 'patchLag', 'sourceImageResourceId', 'version']);
    for (const field of read) expect(payload[field], field).not.toBeUndefined();
    expect(text).not.toMatch(/servicePrincipalKey|clientSecret|AccountKey=/i);

    const step = pipeline.jobs[0]?.steps.find((candidate) => candidate.name === 'next');
    const variables: Record<string, string> = {
      currentVersion: String(payload['version']),
      sourceImageId: String(payload['sourceImageResourceId']),
      latestBuild: String(payload['latestBuild']),
    };
    const script = (step?.bash ?? '')
      .replace(/\$\{\{\s*parameters\.imageSyncRebuild\.(\w+)\s*\}\}/g, (_, field: string) => String(payload[field]))
      .replace(/\$\((\w+)\)/g, (whole, name: string) => variables[name] ?? whole);
    expect(runBash(script, {})).toContain('##vso[task.setvariable variable=version;isOutput=true]1.3.1\n');
  });
});
