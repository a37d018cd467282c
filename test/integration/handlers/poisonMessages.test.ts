import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { handlePoisonMessage } from '../../../src/handlers/poisonMessage';
import { queueImage } from '../../../src/steps/ledgerTransitions';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';

const SUB = '99999999-9999-4999-8999-999999999999';
const id = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const fixture = useEmulator(() =>
  estate({
    subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-ent-1.0.0' })])] })],
  }),
);

describe('poison messages', () => {
  it('records a poisoned register job as a problem, marks its image failed and alerts', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const job = {
      v: 1,
      sourceImageResourceId: id('win11-ent-1.0.0'),
      displayName: 'win11-ent',
      version: '1.0.0',
      trigger: 'reconcile',
      enqueuedAt: '2026-11-23T09:00:00Z',
    } as const;
    await queueImage(app.deps.ledger, null, job, new Date());
    const queue = `${app.config.registerQueue}-poison`;

    await handlePoisonMessage(app.deps, queue, job, { messageId: 'p-1' });

    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({ kind: 'poison-message', subject: `${queue}/p-1`, detail: expect.stringContaining(id('win11-ent-1.0.0')) }),
    ]);
    expect(await app.deps.ledger.get(job)).toMatchObject({ state: 'failed', errorCode: 'poisonMessage', alertedAt: expect.any(String) });
    expect(app.lines.filter((line) => line.startsWith('error: ImageSyncFailure'))).toHaveLength(2);
  });

  it('records a poisoned message it cannot read at all, keeping its text', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const queue = `${app.config.statusQueue}-poison`;
    await handlePoisonMessage(app.deps, queue, 'garbage that never parsed', { messageId: 'p-2' });
    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({ kind: 'poison-message', detail: expect.stringContaining('garbage that never parsed') }),
    ]);
  });

  it('is one problem however often the host hands the same poison message over', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const queue = `${app.config.statusQueue}-poison`;
    await handlePoisonMessage(app.deps, queue, 'same', { messageId: 'p-3' });
    await handlePoisonMessage(app.deps, queue, 'same', { messageId: 'p-3' });
    expect(await app.deps.ledger.listProblems()).toHaveLength(1);
  });

  it('runs as the statusPoisonMessages function with an InvocationContext', async () => {
    const settings = testAppSettings(fixture.emulator);
    Object.assign(process.env, settings);
    const { statusPoisonHandler } = await import('../../../functions/poisonMessages.js');
    const context = new InvocationContext({ functionName: 'statusPoisonMessages', invocationId: 'inv-3', triggerMetadata: { id: 'p-4' } });
    await statusPoisonHandler({ v: 1, nonsense: true }, context);
    const problems = await testApp(settings).deps.ledger.listProblems();
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'poison-message', subject: `${settings.IMAGE_SYNC_STATUS_QUEUE ?? ''}-poison/p-4` }),
    ]);
  });
});
