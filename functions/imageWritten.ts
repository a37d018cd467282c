import { type EventGridEvent, type InvocationContext, app } from '@azure/functions';
import { handleImageEvent } from '../src/sync/imageWritten';
import { invocationDeps } from './runtime/invocationDeps';

export async function imageWrittenHandler(event: EventGridEvent, context: InvocationContext): Promise<void> {
  await handleImageEvent(invocationDeps(context), event);
}

app.eventGrid('imageWritten', { handler: imageWrittenHandler });
