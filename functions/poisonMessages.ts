import { type InvocationContext, app } from '@azure/functions';
import { bindingSetting } from '../src/config';
import { invocationDeps, messageId } from './runtime/invocationDeps';

// The host moves a message that failed maxDequeueCount times to `<queue>-poison`.
function poisonHandler(queue: string) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const [{ handlePoisonMessage }, deps] = await Promise.all([import('../src/handlers/poisonMessage.js'), invocationDeps(context)]);
    await handlePoisonMessage(
      deps,
      queue === 'register' ? `${deps.config.registerQueue}-poison` : `${deps.config.statusQueue}-poison`,
      message,
      { messageId: messageId(context) },
    );
  };
}

export const registerPoisonHandler = poisonHandler('register');
export const statusPoisonHandler = poisonHandler('status');

app.storageQueue('registerPoisonMessages', {
  queueName: `${bindingSetting(process.env, 'IMAGE_SYNC_REGISTER_QUEUE')}-poison`,
  connection: 'AzureWebJobsStorage',
  handler: registerPoisonHandler,
});
app.storageQueue('statusPoisonMessages', {
  queueName: `${bindingSetting(process.env, 'IMAGE_SYNC_STATUS_QUEUE')}-poison`,
  connection: 'AzureWebJobsStorage',
  handler: statusPoisonHandler,
});
