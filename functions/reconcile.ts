import { type InvocationContext, type Timer, app } from '@azure/functions';
import { bindingSetting } from '../src/config';
import { invocationDeps } from './runtime/invocationDeps';

export async function reconcileHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { reconcile } = await import('../src/handlers/reconcile.js');
  await reconcile(await invocationDeps(context));
}

app.timer('reconcile', { schedule: bindingSetting(process.env, 'IMAGE_SYNC_SCHEDULE'), runOnStartup: false, handler: reconcileHandler });
