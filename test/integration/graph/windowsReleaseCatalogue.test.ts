// The Windows release catalogue as the app reads it (beta managedDeviceWindowsOSImages, DESIGN §16):
// its Graph client against the emulator, which serves the catalogue the way Graph does (paged,
// $filter, $top/$skip), with builds in either format and entries the app cannot use.
import { describe, expect, it } from 'vitest';
import { createCredential } from '../../../src/auth/createCredential';
import { estate, osImage } from '../../../src/emulator';
import { ForbiddenError, TransientError, UnexpectedResponseError } from '../../../src/errors';
import { createGraphClient } from '../../../src/graph/createGraphClient';
import { createRetryAfterGate } from '../../../src/graph/retryAfterGate';
import { createWindowsReleaseCatalogue } from '../../../src/graph/windowsReleaseCatalogue';
import type { Emulator } from '../../../src/emulator';
import type { WindowsReleaseCatalogue } from '../../../src/ports';
import { useEmulator } from '../../support/emulator';
import { graphClient } from '../emulator/graphClient';
import { RETRY, rejection } from './appDeviceImageApi';

const CATALOGUE = '/deviceManagement/managedDeviceWindowsOSImages';

const fixture = useEmulator(() =>
  estate({
    graph: { pageSize: 2 },
    osImages: [
      osImage({
        id: 'Windows 11 24H2',
        supportedEditions: [{ editionType: 'enterprise', supportEndDate: '2027-10-12' }],
        availableUpdates: [
          { buildVersion: '26100.4946', releaseMonth: 8, releaseYear: 2026 },
          { buildVersion: '26100.4652', releaseMonth: 7, releaseYear: 2026 },
        ],
      }),
      osImage({
        id: 'Windows 11 23H2',
        availableUpdates: [{ buildVersion: '10.0.22631.5768', releaseMonth: 8, releaseYear: 2026 }],
      }),
      osImage({ id: 'Windows 10 22H2', availableUpdates: [{ buildVersion: 'latest', releaseMonth: 13, releaseYear: 2026 }] }),
    ],
  }),
);

/** The app's catalogue reader on the app's Graph client, configured for v1.0 as the app is by default. */
function catalogue(emulator: Emulator): WindowsReleaseCatalogue {
  const config = { graphEndpoint: emulator.url, graphApiVersion: 'v1.0' as const };
  const client = createGraphClient(
    createCredential({ staticToken: emulator.token, azureClientId: null }),
    config,
    createRetryAfterGate(),
    RETRY,
  );
  return createWindowsReleaseCatalogue({ client, timeoutMs: 10_000 });
}

describe('the Windows release catalogue', () => {
  it('is listed whole on beta whatever GRAPH_API_VERSION says, following every page, each value as Graph wrote it', async () => {
    fixture.emulator.clearRequests();
    const releases = await catalogue(fixture.emulator).list();
    expect(releases.map((release) => release.id)).toEqual(['Windows 11 24H2', 'Windows 11 23H2', 'Windows 10 22H2']);
    expect(releases[0]).toEqual({
      id: 'Windows 11 24H2',
      editions: [{ editionType: 'enterprise', supportEndDate: '2027-10-12' }],
      updates: [
        { buildVersion: '26100.4946', releaseMonth: 8, releaseYear: 2026 },
        { buildVersion: '26100.4652', releaseMonth: 7, releaseYear: 2026 },
      ],
    });
    // Kept for the rules to judge (and ignore), not a reason to lose the catalogue.
    expect(releases[2]?.updates).toEqual([{ buildVersion: 'latest', releaseMonth: 13, releaseYear: 2026 }]);
    expect(fixture.emulator.requests.map((request) => [request.kind, request.graphVersion])).toEqual([
      ['graph.osImages.list', 'beta'],
      ['graph.osImages.list', 'beta'],
    ]);
  });

  it('is served the way Graph serves it: $filter on id, $top and $skip, $select of properties the type has, and v1.0 has no such segment', async () => {
    const client = graphClient(fixture.emulator);
    const filtered = await client.api(CATALOGUE).version('beta').filter("id eq 'windows 11 23h2'").get();
    expect(filtered.value.map((release: { id: string }) => release.id)).toEqual(['Windows 11 23H2']);
    const window = await client.api(CATALOGUE).version('beta').top(1).skip(1).get();
    expect(window.value.map((release: { id: string }) => release.id)).toEqual(['Windows 11 23H2']);
    const selected = await client.api(CATALOGUE).version('beta').select(['availableUpdates']).filter("id eq 'Windows 11 24H2'").get();
    expect(Object.keys(selected.value[0] as object).sort()).toEqual(['availableUpdates', 'id']);
    const unknown = await rejection(client.api(CATALOGUE).version('beta').select(['osVersionNumber']).get());
    expect(unknown).toMatchObject({
      statusCode: 400,
      message: "Could not find a property named 'osVersionNumber' on type 'microsoft.graph.managedDeviceWindowsOperatingSystemImage'.",
    });
    const v1 = await rejection(client.api(CATALOGUE).get());
    expect(v1).toMatchObject({ statusCode: 400 });
  });

  it('refused (403) is a ForbiddenError; an answer that is not a catalogue page an UnexpectedResponseError; an outage transient', async () => {
    fixture.emulator.setFaults({ kinds: ['graph.osImages.list'], refuse: { next: 1 } });
    expect(await rejection(catalogue(fixture.emulator).list())).toBeInstanceOf(ForbiddenError);
    fixture.emulator.setFaults({ kinds: ['graph.osImages.list'], malformed: { next: 1 } });
    expect(await rejection(catalogue(fixture.emulator).list())).toBeInstanceOf(UnexpectedResponseError);
    fixture.emulator.setFaults({ kinds: ['graph.osImages.list'], down: 'unavailable' });
    expect(await rejection(catalogue(fixture.emulator).list())).toBeInstanceOf(TransientError);
    fixture.emulator.clearFaults();
  });
});
