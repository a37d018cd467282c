// The job queues: register jobs and status checks.
import type { RegisterJob, StatusCheck } from '../domain';

export interface JobQueues {
  sendRegisterJob(job: RegisterJob, delaySeconds?: number): Promise<void>;
  sendStatusCheck(check: StatusCheck, delaySeconds: number): Promise<void>;
}
