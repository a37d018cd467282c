// DESIGN §15 for copies: the app deletes only what it made. A disk of the copy's name that does not
// carry the version's `cloudpc-sync-copy-of` tag (made by a person, or for another version) is read
// before any DELETE and left alone, by the removal and by the reconcile's sweep.
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../support/emulator';
import { armClient } from '../emulator/armClient';
import { COPY, SUB, VERSION_ID, galleryApp, galleryEstate } from './galleryTenant';

describe('removing a copy', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('leaves a disk of the copy’s name alone when it is not tagged as this version’s copy', async () => {
    const app = galleryApp(fixture.emulator);
    // A person's disk, from the same version, under the name the copy would take, without the tag.
    await armClient(fixture.emulator, SUB).disks.beginCreateOrUpdateAndWait('rg-cloudpc-staging', COPY.name, {
      location: 'westeurope',
      tags: { owner: 'imaging-team' },
      creationData: { createOption: 'FromImage', galleryImageReference: { id: VERSION_ID } },
    });
    const deletesBefore = fixture.emulator.count('arm.disks.delete');

    await app.deps.galleryCopies?.remove(VERSION_ID);

    expect(fixture.emulator.disks().map((disk) => disk.id.toLowerCase())).toEqual([COPY.diskId.toLowerCase()]);
    expect(fixture.emulator.count('arm.disks.delete')).toBe(deletesBefore);
    const leftAlone = app.lines.filter((line) => line.includes('GalleryCopyLeftAlone'));
    expect(leftAlone).toHaveLength(1);
    expect(leftAlone[0]).toContain(COPY.name);
  });
});
