import { describe, expect, it } from 'vitest';
import { wakingJobQueues } from '../../../src/local/localHost';
import type { QueueDrain } from '../../../src/local/queueDrain';
import type { JobQueues } from '../../../src/ports';
import { registerJob, statusCheck } from '../queue/messageBuilders';

function recordingDrain(name: string, calls: string[]): QueueDrain {
  return { queueName: name, wake: (afterMs = 0) => calls.push(`wake ${name} ${afterMs}`) } as unknown as QueueDrain;
}

describe('job queues of the local host', () => {
  it('send first, then wake the drain of the queue for when the message becomes visible', async () => {
    const calls: string[] = [];
    const queues: JobQueues = {
      sendRegisterJob: async (_job, delaySeconds) => void calls.push(`send register ${delaySeconds ?? 0}`),
      sendStatusCheck: async (_check, delaySeconds) => void calls.push(`send status ${delaySeconds}`),
    };
    const waking = wakingJobQueues(queues, { register: recordingDrain('register', calls), status: recordingDrain('status', calls) });
    await waking.sendRegisterJob(registerJob());
    await waking.sendStatusCheck(statusCheck(), 300);
    await waking.sendRegisterJob(registerJob(), 2);
    expect(calls).toEqual([
      'send register 0',
      'wake register 0',
      'send status 300',
      'wake status 300000',
      'send register 2',
      'wake register 2000',
    ]);
  });

  it('wakes nothing when the send fails', async () => {
    const calls: string[] = [];
    const failing: JobQueues = {
      sendRegisterJob: async () => {
        throw new Error('storage is unreachable');
      },
      sendStatusCheck: async () => undefined,
    };
    const waking = wakingJobQueues(failing, { register: recordingDrain('register', calls), status: recordingDrain('status', calls) });
    await expect(waking.sendRegisterJob(registerJob())).rejects.toThrow('storage is unreachable');
    expect(calls).toEqual([]);
  });
});
