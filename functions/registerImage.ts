import { type InvocationContext, app } from '@azure/functions';
import { bindingSetting } from '../src/config';
import { invocationDeps, messageId } from './runtime/invocationDeps';

export async function registerImageHandler(message: unknown, context: InvocationContext): Promise<void> {
  const { handleRegisterMessage } = await import('../src/handlers/registerImage.js');
  await handleRegisterMessage(await invocationDeps(context), message, { messageId: messageId(context) });
}

app.storageQueue('registerImage', {
  queueName: bindingSetting(process.env, 'IMAGE_SYNC_REGISTER_QUEUE'),
  connection: 'AzureWebJobsStorage',
  handler: registerImageHandler,
});
