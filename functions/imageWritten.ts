import { type EventGridEvent, type InvocationContext, app } from '@azure/functions';
import { invocationDeps } from './runtime/invocationDeps';

export async function imageWrittenHandler(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const { handleImageEvent } = await import('../src/handlers/imageWritten.js');
  await handleImageEvent(await invocationDeps(context), event);
}

app.eventGrid('imageWritten', { handler: imageWrittenHandler });
