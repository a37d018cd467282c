import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageEvent } from '../../../src/events/parseImageEvent';
import { REPO_ROOT } from '../../support/functionApp';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/api');
const SUB = '11111111-1111-4111-8111-111111111111';
const IMAGE = `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/images/win11-ent-1.3.0`;
const LOWER_CASE_IMAGE = `/subscriptions/${SUB}/resourcegroups/rg-images/providers/Microsoft.Compute/images/win11-ent-1.3.0`;

/** The first event of a fixture file (Event Grid delivers events as an array). */
function firstEvent(file: string): Record<string, unknown> {
  const events = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Record<string, unknown>[];
  const [event] = events;
  if (event === undefined) throw new Error(`${file} holds no event`);
  return event;
}

const eventGrid = firstEvent('eventgrid-image-written.json');
const lowerCase = firstEvent('events/eventgrid-image-written-lowercase-resourcegroups.json');
const cloudEvent = firstEvent('events/cloudevents-image-written.json');

describe('parseImageEvent', () => {
  it('reads the Event Grid example of the API notes as a written image', () => {
    expect(parseImageEvent(eventGrid)).toEqual({ kind: 'imageWritten', sourceImageResourceId: IMAGE, eventId: eventGrid['id'] });
  });

  it('reads an Event Grid event whose subject and resourceUri say resourcegroups in lower case, keeping the id as received', () => {
    expect(lowerCase['subject']).toBe(LOWER_CASE_IMAGE);
    expect(parseImageEvent(lowerCase)).toEqual({ kind: 'imageWritten', sourceImageResourceId: LOWER_CASE_IMAGE, eventId: lowerCase['id'] });
  });

  it('reads the subject when the data names no resourceUri (lower-case resourcegroups too)', () => {
    const { resourceUri: _resourceUri, ...data } = lowerCase['data'] as Record<string, unknown>;
    expect(parseImageEvent({ ...lowerCase, data })).toMatchObject({ kind: 'imageWritten', sourceImageResourceId: LOWER_CASE_IMAGE });
  });

  it('reads a CloudEvents 1.0 event (specversion, type, source, subject, data) as a written image', () => {
    expect(cloudEvent).toMatchObject({
      specversion: '1.0',
      type: 'Microsoft.Resources.ResourceWriteSuccess',
      source: `/subscriptions/${SUB}`,
      subject: IMAGE,
    });
    expect(parseImageEvent(cloudEvent)).toEqual({ kind: 'imageWritten', sourceImageResourceId: IMAGE, eventId: cloudEvent['id'] });
  });

  it('reads a CloudEvents event by its subject when the data names no resourceUri', () => {
    expect(
      parseImageEvent({
        ...cloudEvent,
        subject: LOWER_CASE_IMAGE,
        data: { operationName: 'Microsoft.Compute/images/write', status: 'Succeeded' },
      }),
    ).toMatchObject({
      kind: 'imageWritten',
      sourceImageResourceId: LOWER_CASE_IMAGE,
    });
  });

  it('reads the event type and operation name in any casing', () => {
    expect(
      parseImageEvent({
        ...cloudEvent,
        type: 'microsoft.resources.resourcewritesuccess',
        data: { ...(cloudEvent['data'] as object), operationName: 'MICROSOFT.COMPUTE/IMAGES/WRITE' },
      }),
    ).toMatchObject({ kind: 'imageWritten' });
  });

  it.each([
    [
      'a delete (Event Grid)',
      { ...eventGrid, eventType: 'Microsoft.Resources.ResourceDeleteSuccess' },
      /event type Microsoft\.Resources\.ResourceDeleteSuccess/,
    ],
    [
      'a delete (CloudEvents)',
      { ...cloudEvent, type: 'Microsoft.Resources.ResourceDeleteSuccess' },
      /event type Microsoft\.Resources\.ResourceDeleteSuccess/,
    ],
    ['a failed write', { ...lowerCase, data: { ...(lowerCase['data'] as object), status: 'Failed' } }, /status Failed/],
    [
      'a write of another resource type',
      { ...cloudEvent, data: { ...(cloudEvent['data'] as object), operationName: 'Microsoft.Compute/disks/write' } },
      /operation Microsoft\.Compute\/disks\/write/,
    ],
    [
      'a resource that is not a managed image',
      {
        ...lowerCase,
        subject: `/subscriptions/${SUB}/resourcegroups/rg-images`,
        data: { operationName: 'Microsoft.Compute/images/write' },
      },
      /not a managed image/,
    ],
    ['something that is not an event', 'hello', /not an Event Grid or CloudEvents event/],
  ])('ignores %s, saying why', (_what, event, why) => {
    const parsed = parseImageEvent(event);
    expect(parsed.kind).toBe('ignored');
    expect(parsed.kind === 'ignored' ? parsed.why : '').toMatch(why);
  });
});

describe('parseImageEvent of a gallery image version (DESIGN §17)', () => {
  const VERSION = `/subscriptions/${SUB}/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/galImages/images/win11-gold/versions/1.4.0`;
  const versionWritten = firstEvent('events/eventgrid-gallery-version-written.json');
  const on = { galleryVersions: true };

  it('reads a versions/write event as a written source when gallery sources are on', () => {
    expect(parseImageEvent(versionWritten, on)).toEqual({
      kind: 'imageWritten',
      sourceImageResourceId: VERSION,
      eventId: versionWritten['id'],
    });
  });

  it('reads the subject when the data names no resourceUri, ids in any casing', () => {
    const lower = VERSION.replace('resourceGroups', 'resourcegroups');
    const { resourceUri: _resourceUri, ...data } = versionWritten['data'] as Record<string, unknown>;
    expect(parseImageEvent({ ...versionWritten, subject: lower, data }, on)).toMatchObject({
      kind: 'imageWritten',
      sourceImageResourceId: lower,
    });
  });

  it('ignores it, saying why, when gallery sources are off (the default)', () => {
    for (const parsed of [parseImageEvent(versionWritten), parseImageEvent(versionWritten, { galleryVersions: false })]) {
      expect(parsed).toEqual({
        kind: 'ignored',
        why: `a gallery image version was written and IMAGE_SYNC_GALLERY_SOURCES is off: ${VERSION}`,
        eventId: versionWritten['id'],
      });
    }
  });

  it('ignores the writes of a gallery or an image definition', () => {
    const definition = VERSION.replace(/\/versions\/.*$/, '');
    const data = versionWritten['data'] as Record<string, unknown>;
    expect(
      parseImageEvent(
        {
          ...versionWritten,
          subject: definition,
          data: { ...data, operationName: 'Microsoft.Compute/galleries/images/write', resourceUri: definition },
        },
        on,
      ),
    ).toMatchObject({ kind: 'ignored', why: 'operation Microsoft.Compute/galleries/images/write' });
    expect(parseImageEvent({ ...versionWritten, data: { ...data, resourceUri: definition } }, on)).toMatchObject({ kind: 'ignored' });
  });

  it('ignores an operation that does not match the resource (an image write naming a version, a version write naming an image)', () => {
    const data = versionWritten['data'] as Record<string, unknown>;
    expect(parseImageEvent({ ...versionWritten, data: { ...data, operationName: 'Microsoft.Compute/images/write' } }, on)).toMatchObject({
      kind: 'ignored',
    });
    expect(
      parseImageEvent(
        { ...eventGrid, data: { ...(eventGrid['data'] as object), operationName: 'Microsoft.Compute/galleries/images/versions/write' } },
        on,
      ),
    ).toMatchObject({
      kind: 'ignored',
    });
  });

  it('ignores a failed version write', () => {
    const data = versionWritten['data'] as Record<string, unknown>;
    expect(parseImageEvent({ ...versionWritten, data: { ...data, status: 'Failed' } }, on)).toMatchObject({
      kind: 'ignored',
      why: 'status Failed',
    });
  });

  it('still reads managed-image writes with gallery sources on', () => {
    expect(parseImageEvent(eventGrid, on)).toMatchObject({ kind: 'imageWritten', sourceImageResourceId: IMAGE });
  });
});
