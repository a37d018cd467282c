import { type InvocationContext, app } from '@azure/functions';
import { bindingSetting } from '../src/config';
import { invocationDeps, messageId } from './runtime/invocationDeps';

export async function pollImageStatusHandler(message: unknown, context: InvocationContext): Promise<void> {
  const { handleStatusMessage } = await import('../src/handlers/pollImageStatus.js');
  await handleStatusMessage(await invocationDeps(context), message, { messageId: messageId(context) });
}

app.storageQueue('pollImageStatus', {
  queueName: bindingSetting(process.env, 'IMAGE_SYNC_STATUS_QUEUE'),
  connection: 'AzureWebJobsStorage',
  handler: pollImageStatusHandler,
});
