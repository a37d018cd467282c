import { describe, expect, it } from 'vitest';
import { indexFunctionApp, triggerOf } from '../../support/functionApp';

const byName = (app: ReturnType<typeof indexFunctionApp>) => new Map(app.functions.map((fn) => [fn.name, fn]));

describe('the function app as the host indexes it', () => {
  const app = indexFunctionApp();

  it('finds compiled function files through package.json main', () => {
    expect(app.main).toBe('dist/functions/*.js');
    expect(app.files).toEqual(['imageWritten.js', 'poisonMessages.js', 'pollImageStatus.js', 'reconcile.js', 'registerImage.js']);
  });

  it('registers exactly the six functions of the design', () => {
    expect(app.functions.map((fn) => fn.name).sort()).toEqual([
      'imageWritten',
      'pollImageStatus',
      'reconcile',
      'registerImage',
      'registerPoisonMessages',
      'statusPoisonMessages',
    ]);
  });

  it('runs reconcile on the documented default schedule when IMAGE_SYNC_SCHEDULE is not set', () => {
    const reconcile = byName(app).get('reconcile');
    expect(reconcile && triggerOf(reconcile)).toMatchObject({
      type: 'timerTrigger',
      direction: 'in',
      schedule: '0 */15 * * * *',
      runOnStartup: false,
    });
  });

  it('binds the queue triggers to the default queues on AzureWebJobsStorage', () => {
    const functions = byName(app);
    const queueOf = (name: string) => {
      const fn = functions.get(name);
      return fn && triggerOf(fn);
    };
    expect(queueOf('registerImage')).toMatchObject({
      type: 'queueTrigger',
      queueName: 'image-register',
      connection: 'AzureWebJobsStorage',
    });
    expect(queueOf('pollImageStatus')).toMatchObject({
      type: 'queueTrigger',
      queueName: 'image-status',
      connection: 'AzureWebJobsStorage',
    });
    expect(queueOf('registerPoisonMessages')).toMatchObject({ type: 'queueTrigger', queueName: 'image-register-poison' });
    expect(queueOf('statusPoisonMessages')).toMatchObject({ type: 'queueTrigger', queueName: 'image-status-poison' });
  });

  it('takes imageWritten from Event Grid', () => {
    const fn = byName(app).get('imageWritten');
    expect(fn && triggerOf(fn)).toMatchObject({ type: 'eventGridTrigger', direction: 'in' });
  });

  it('lets the host resolve the schedule and queue names from app settings when they are set', () => {
    const configured = byName(
      indexFunctionApp({ IMAGE_SYNC_SCHEDULE: '0 0 * * * *', IMAGE_SYNC_REGISTER_QUEUE: 'reg', IMAGE_SYNC_STATUS_QUEUE: 'stat' }),
    );
    const trigger = (name: string) => {
      const fn = configured.get(name);
      return fn && triggerOf(fn);
    };
    expect(trigger('reconcile')).toMatchObject({ schedule: '%IMAGE_SYNC_SCHEDULE%' });
    expect(trigger('registerImage')).toMatchObject({ queueName: '%IMAGE_SYNC_REGISTER_QUEUE%' });
    expect(trigger('pollImageStatus')).toMatchObject({ queueName: '%IMAGE_SYNC_STATUS_QUEUE%' });
    expect(trigger('registerPoisonMessages')).toMatchObject({ queueName: '%IMAGE_SYNC_REGISTER_QUEUE%-poison' });
  });

  it('indexes without any setting present: settings are read on the first invocation, not at import', () => {
    expect(app.functions).toHaveLength(6);
  });
});
