// The listing's own paging, against a Graph client whose last middleware answers from a script: a
// page that is not a collection ends the listing with a permanent error, never with what was read
// so far, and is not sent again.
import { Client, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/errors';
import { createDeviceImageApi } from '../../../src/graph/deviceImageApi';
import { createRetryAfterGate } from '../../../src/graph/retryAfterGate';
import { UNREADABLE_ANSWER } from '../../../src/errors';
import { sourceImageId } from '../../fixtures/sourceImage';

const LIST = 'https://graph.test/v1.0/deviceManagement/virtualEndpoint/deviceImages';
const SECOND_PAGE = `${LIST}?$skiptoken=2`;

function image(id: string): Record<string, unknown> {
  return { id, displayName: 'win11-ent', version: `1.0.${id}`, sourceImageResourceId: sourceImageId('win11-ent'), status: 'ready' };
}

/** Answers each URL with its scripted body (200), recording the URLs and Prefer headers asked for. */
function scriptedGraph(pages: Readonly<Record<string, unknown>>): {
  readonly client: Client;
  readonly asked: { url: string; prefer: string | null }[];
} {
  const asked: { url: string; prefer: string | null }[] = [];
  const answer: Middleware = {
    async execute(context: Context): Promise<void> {
      const url = typeof context.request === 'string' ? context.request : context.request.url;
      asked.push({ url, prefer: new Headers(context.options?.headers).get('Prefer') });
      context.response = new Response(JSON.stringify(pages[url] ?? {}), { status: 200, headers: { 'Content-Type': 'application/json' } });
    },
  };
  return { client: Client.initWithMiddleware({ baseUrl: 'https://graph.test', middleware: answer }), asked };
}

function api(client: Client) {
  return createDeviceImageApi({ client, gate: createRetryAfterGate(), timeoutMs: 5_000 });
}

describe('DeviceImageApi.list paging', () => {
  it('follows @odata.nextLink to the last page, sending the Prefer header on every page', async () => {
    const { client, asked } = scriptedGraph({
      [LIST]: { value: [image('1')], '@odata.nextLink': SECOND_PAGE },
      [SECOND_PAGE]: { value: [image('2')] },
    });
    expect((await api(client).list()).map((listed) => listed.id)).toEqual(['1', '2']);
    expect(asked).toEqual([
      { url: LIST, prefer: 'include-unknown-enum-members' },
      { url: SECOND_PAGE, prefer: 'include-unknown-enum-members' },
    ]);
  });

  it.each([
    ['no value list', { '@odata.context': 'x' }],
    ['a value that is not a list', { value: {} }],
  ])('fails permanently on a later page with %s, sent once, rather than return the first page alone', async (_what, secondPage) => {
    const { client, asked } = scriptedGraph({ [LIST]: { value: [image('1')], '@odata.nextLink': SECOND_PAGE }, [SECOND_PAGE]: secondPage });
    const error = await api(client)
      .list()
      .then(
        () => null,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({
      code: UNREADABLE_ANSWER,
      message: expect.stringMatching(/^listing device images: Graph returned a collection page that cannot be read: value: /),
    });
    expect(asked.map((request) => request.url)).toEqual([LIST, SECOND_PAGE]);
  });

  it('fails permanently on an item that is not a device image, naming its field', async () => {
    const { client, asked } = scriptedGraph({ [LIST]: { value: [image('1'), { displayName: 'no id' }] } });
    await expect(api(client).list()).rejects.toThrow(/^listing device images: Graph returned a device image that cannot be read: id: /);
    expect(asked).toHaveLength(1);
  });
});
