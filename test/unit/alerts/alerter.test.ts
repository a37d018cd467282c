import { describe, expect, it } from 'vitest';
import { createAlerter, type FailureAlertPayload, type WarningAlertPayload } from '../../../src/alerts/alerter';
import { remediationFor } from '../../../src/rules/remediation';
import type { FailureAlert, WarningAlert } from '../../../src/ports';
import { fieldsOf, recordingLogger } from '../../fixtures/recordingLogger';
import { sourceImageId } from '../../fixtures/sourceImage';

const alert: FailureAlert = {
  sourceImageResourceId: sourceImageId('win11-ent-1.2.0'),
  displayName: 'win11-ent',
  version: '1.2.0',
  errorCode: 'vmAlreadyAzureAdjoined',
  detail: 'upload failed',
};
const warning: WarningAlert = {
  sourceImageResourceId: sourceImageId('win11-ent-1.2.0'),
  displayName: 'win11-ent',
  version: '1.2.0',
  warning: 'os-support-ending',
  detail: 'Windows 11 23H2 stops being usable on 2026-11-10: register an image of a supported release',
};
const clock = { now: () => new Date('2026-11-20T12:00:00.000Z') };

interface Sent {
  readonly url: string;
  readonly init: RequestInit | undefined;
}

function fakeFetch(answer: () => Promise<Response>): { readonly fetch: typeof globalThis.fetch; readonly sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    sent.push({ url: input instanceof Request ? input.url : input.toString(), init });
    return answer();
  };
  return { fetch, sent };
}

describe('createAlerter', () => {
  it('logs one error-level ImageSyncFailure line with the alert and its remediation', async () => {
    const { log, lines } = recordingLogger();
    await createAlerter({ log, webhookUrl: null }).raise(alert);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('error');
    expect(lines[0]?.line.startsWith('ImageSyncFailure ')).toBe(true);
    expect(fieldsOf(lines[0]?.line ?? '')).toEqual({
      sourceImageResourceId: alert.sourceImageResourceId,
      displayName: 'win11-ent',
      version: '1.2.0',
      errorCode: 'vmAlreadyAzureAdjoined',
      remediation: remediationFor('vmAlreadyAzureAdJoined'),
      detail: 'upload failed',
    });
  });

  it('logs a problem alert with no image', async () => {
    const { log, lines } = recordingLogger();
    await createAlerter({ log, webhookUrl: null }).raise({
      sourceImageResourceId: null,
      displayName: null,
      version: null,
      errorCode: 'subscription-unreadable',
      detail: 'AuthorizationFailed',
    });
    expect(fieldsOf(lines[0]?.line ?? '')).toMatchObject({ sourceImageResourceId: null, errorCode: 'subscription-unreadable' });
  });

  it('POSTs the same fields plus event, severity error and at, as JSON', async () => {
    const { log } = recordingLogger();
    const { fetch, sent } = fakeFetch(async () => new Response(null, { status: 204 }));
    await createAlerter({ log, webhookUrl: 'https://hooks.example.org/image-sync?code=s3cret', fetch, clock }).raise(alert);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('https://hooks.example.org/image-sync?code=s3cret');
    expect(sent[0]?.init?.method).toBe('POST');
    expect(new Headers(sent[0]?.init?.headers).get('content-type')).toBe('application/json');
    const body = JSON.parse(sent[0]?.init?.body as string) as FailureAlertPayload;
    expect(body).toEqual({
      event: 'ImageSyncFailure',
      severity: 'error',
      at: '2026-11-20T12:00:00.000Z',
      sourceImageResourceId: alert.sourceImageResourceId,
      displayName: 'win11-ent',
      version: '1.2.0',
      errorCode: 'vmAlreadyAzureAdjoined',
      remediation: remediationFor('vmAlreadyAzureAdjoined'),
      detail: 'upload failed',
    });
    expect(sent[0]?.init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('removes credentials from the detail before logging or posting it', async () => {
    const { log, lines } = recordingLogger();
    const { fetch, sent } = fakeFetch(async () => new Response(null, { status: 200 }));
    await createAlerter({ log, webhookUrl: 'https://hooks.example.org/x', fetch }).raise({
      ...alert,
      detail: 'failed with Authorization: Bearer abc.def.ghi',
    });
    expect(lines[0]?.line).not.toContain('abc.def.ghi');
    expect(sent[0]?.init?.body as string).not.toContain('abc.def.ghi');
  });

  it('logs a non-2xx answer as a warning and does not throw', async () => {
    const { log, lines } = recordingLogger();
    const { fetch } = fakeFetch(async () => new Response('nope', { status: 503 }));
    await expect(createAlerter({ log, webhookUrl: 'https://hooks.example.org/x?sig=abc', fetch }).raise(alert)).resolves.toBeUndefined();
    expect(lines.map((line) => line.level)).toEqual(['error', 'warn']);
    expect(lines[1]?.line.startsWith('ImageSyncAlertUndelivered ')).toBe(true);
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({ webhook: 'https://hooks.example.org', status: 503, errorCode: alert.errorCode });
  });

  it('logs a network failure as a warning, never quoting the URL, and does not throw', async () => {
    const { log, lines } = recordingLogger();
    const url = 'https://hooks.example.org/secret-path/T0K3N?code=s3cret';
    const fetch: typeof globalThis.fetch = async () => {
      throw new TypeError(`fetch failed for ${url}`, { cause: new Error(`connect ECONNREFUSED (${url})`) });
    };
    await expect(createAlerter({ log, webhookUrl: url, fetch }).raise(alert)).resolves.toBeUndefined();
    expect(lines[1]?.level).toBe('warn');
    const all = lines.map((line) => line.line).join('\n');
    expect(all).not.toContain('s3cret');
    expect(all).not.toContain('T0K3N');
    expect(all).toContain('ECONNREFUSED');
  });

  it.each(['http://hooks.example.org/x?code=s3cret', 'ftp://hooks.example.org/x', 'not a url ?code=s3cret'])(
    'refuses the webhook %s: nothing is sent, a warning says why, the secret is not logged',
    async (webhookUrl) => {
      const { log, lines } = recordingLogger();
      const { fetch, sent } = fakeFetch(async () => new Response(null, { status: 200 }));
      await createAlerter({ log, webhookUrl, fetch }).raise(alert);
      expect(sent).toHaveLength(0);
      expect(lines.map((line) => line.level)).toEqual(['error', 'warn']);
      expect(lines[1]?.line).toMatch(/^ImageSyncAlertUndelivered .*not (https|a URL)/);
      expect(lines.map((line) => line.line).join('\n')).not.toContain('s3cret');
    },
  );

  it('sends nothing and warns of nothing without a webhook', async () => {
    const { log, lines } = recordingLogger();
    const { fetch, sent } = fakeFetch(async () => new Response(null, { status: 200 }));
    await createAlerter({ log, webhookUrl: null, fetch }).raise(alert);
    await createAlerter({ log, webhookUrl: '  ', fetch }).raise(alert);
    expect(sent).toHaveLength(0);
    expect(lines.map((line) => line.level)).toEqual(['error', 'error']);
  });

  it('treats a redirect as undelivered rather than following it', async () => {
    const { log, lines } = recordingLogger();
    const { fetch, sent } = fakeFetch(
      async () => new Response(null, { status: 302, headers: { location: 'http://elsewhere.example.org/' } }),
    );
    await createAlerter({ log, webhookUrl: 'https://hooks.example.org/x', fetch }).raise(alert);
    expect(sent[0]?.init?.redirect).toBe('manual');
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({ status: 302 });
  });
});

describe('createAlerter warn', () => {
  it('logs one warning-level ImageSyncWarning line with the warning code and its text as remediation', async () => {
    const { log, lines } = recordingLogger();
    await createAlerter({ log, webhookUrl: null }).warn(warning);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('warn');
    expect(lines[0]?.line.startsWith('ImageSyncWarning ')).toBe(true);
    expect(fieldsOf(lines[0]?.line ?? '')).toEqual({
      sourceImageResourceId: warning.sourceImageResourceId,
      displayName: 'win11-ent',
      version: '1.2.0',
      warning: 'os-support-ending',
      remediation: warning.detail,
    });
  });

  it('keeps null displayName and version as null', async () => {
    const { log, lines } = recordingLogger();
    await createAlerter({ log, webhookUrl: null }).warn({ ...warning, displayName: null, version: null });
    expect(fieldsOf(lines[0]?.line ?? '')).toMatchObject({ displayName: null, version: null });
  });

  it('POSTs the same fields plus event, severity warning and at, as JSON', async () => {
    const { log, lines } = recordingLogger();
    const { fetch, sent } = fakeFetch(async () => new Response(null, { status: 204 }));
    await createAlerter({ log, webhookUrl: 'https://hooks.example.org/image-sync?code=s3cret', fetch, clock }).warn(warning);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('https://hooks.example.org/image-sync?code=s3cret');
    expect(sent[0]?.init?.method).toBe('POST');
    expect(sent[0]?.init?.redirect).toBe('manual');
    expect(new Headers(sent[0]?.init?.headers).get('content-type')).toBe('application/json');
    const body = JSON.parse(sent[0]?.init?.body as string) as WarningAlertPayload;
    expect(body).toEqual({
      event: 'ImageSyncWarning',
      severity: 'warning',
      at: '2026-11-20T12:00:00.000Z',
      sourceImageResourceId: warning.sourceImageResourceId,
      displayName: 'win11-ent',
      version: '1.2.0',
      warning: 'os-support-ending',
      remediation: warning.detail,
    });
    expect(lines.map((line) => line.level)).toEqual(['warn']);
  });

  it('removes credentials from the text before logging or posting it', async () => {
    const { log, lines } = recordingLogger();
    const { fetch, sent } = fakeFetch(async () => new Response(null, { status: 200 }));
    await createAlerter({ log, webhookUrl: 'https://hooks.example.org/x', fetch }).warn({
      ...warning,
      detail: 'seen with Authorization: Bearer abc.def.ghi',
    });
    expect(lines[0]?.line).not.toContain('abc.def.ghi');
    expect(sent[0]?.init?.body as string).not.toContain('abc.def.ghi');
  });

  it('logs a non-2xx answer as ImageSyncAlertUndelivered naming the warning, and does not throw', async () => {
    const { log, lines } = recordingLogger();
    const { fetch } = fakeFetch(async () => new Response('nope', { status: 503 }));
    await expect(createAlerter({ log, webhookUrl: 'https://hooks.example.org/x?sig=abc', fetch }).warn(warning)).resolves.toBeUndefined();
    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn']);
    expect(lines[1]?.line.startsWith('ImageSyncAlertUndelivered ')).toBe(true);
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({
      webhook: 'https://hooks.example.org',
      status: 503,
      warning: 'os-support-ending',
    });
  });

  it('logs a network failure as undelivered, never quoting the URL, and does not throw', async () => {
    const { log, lines } = recordingLogger();
    const url = 'https://hooks.example.org/secret-path/T0K3N?code=s3cret';
    const fetch: typeof globalThis.fetch = async () => {
      throw new TypeError(`fetch failed for ${url}`, { cause: new Error(`connect ECONNREFUSED (${url})`) });
    };
    await expect(createAlerter({ log, webhookUrl: url, fetch }).warn(warning)).resolves.toBeUndefined();
    const all = lines.map((line) => line.line).join('\n');
    expect(lines[1]?.line.startsWith('ImageSyncAlertUndelivered ')).toBe(true);
    expect(all).not.toContain('s3cret');
    expect(all).not.toContain('T0K3N');
    expect(all).toContain('ECONNREFUSED');
  });

  it('refuses a plain-http webhook: nothing is sent, a warning says why', async () => {
    const { log, lines } = recordingLogger();
    const { fetch, sent } = fakeFetch(async () => new Response(null, { status: 200 }));
    await createAlerter({ log, webhookUrl: 'http://hooks.example.org/x?code=s3cret', fetch }).warn(warning);
    expect(sent).toHaveLength(0);
    expect(lines[1]?.line).toMatch(/^ImageSyncAlertUndelivered .*not https/);
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({ warning: 'os-support-ending' });
    expect(lines.map((line) => line.line).join('\n')).not.toContain('s3cret');
  });

  it('sends nothing without a webhook', async () => {
    const { log, lines } = recordingLogger();
    const { fetch, sent } = fakeFetch(async () => new Response(null, { status: 200 }));
    await createAlerter({ log, webhookUrl: null, fetch }).warn(warning);
    expect(sent).toHaveLength(0);
    expect(lines.map((line) => line.level)).toEqual(['warn']);
  });
});
