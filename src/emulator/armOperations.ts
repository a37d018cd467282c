// ARM's long-running operations (a disk or image PUT, a DELETE): each gets an operation whose status
// URL (the Azure-AsyncOperation header) answers InProgress until its Nth status poll, or until its
// time on the emulator's clock is up (as if ARM finished while nobody watched), then Succeeded or
// Failed. What the operation does when it ends is its `finish`, which may fail it (a gallery version
// deleted while its copy was in flight); a failure knob makes the next matching operation fail.
import type { Clock } from '../domain';

export interface ArmError {
  readonly code: string;
  readonly message: string;
}

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

export interface OperationHooks {
  /** Runs when the operation ends well; an error it returns fails the operation instead. */
  readonly finish: () => ArmError | null;
  /** Runs when it fails (the knob, or `finish`'s error): the resource's provisioningState turns Failed. */
  readonly fail: (error: ArmError) => void;
}

export interface ArmOperation {
  readonly id: string;
  /** The request kind that started it (`arm.disks.put`, …). */
  readonly kind: string;
  readonly resourceId: string;
  readonly startedAt: Date;
  polls: number;
  status: OperationStatus;
  endedAt: Date | null;
  error: ArmError | null;
  /** A failure armed by the knob: the operation ends with it. */
  readonly armedError: ArmError | null;
  readonly hooks: OperationHooks;
}

interface ArmedFailure {
  readonly kinds: string;
  readonly error: ArmError;
}

export const DEFAULT_OPERATION_ERROR: ArmError = {
  code: 'InternalOperationError',
  message: 'The operation failed: an internal execution error occurred. Please retry later.',
};

function matches(pattern: string, kind: string): boolean {
  return pattern.endsWith('*') ? kind.startsWith(pattern.slice(0, -1)) : pattern === kind;
}

export class OperationStore {
  private readonly operations = new Map<string, ArmOperation>();
  private armed: ArmedFailure[] = [];
  private made = 0;

  constructor(
    private readonly clock: Clock,
    private readonly settings: { pollsToFinish: number; secondsToFinish: number },
  ) {}

  setPollsToFinish(polls: number): void {
    if (!Number.isInteger(polls) || polls < 1) throw new Error(`operation polls must be a whole number from 1 (given ${polls})`);
    this.settings.pollsToFinish = polls;
  }

  /** The next operation of `kinds` (a kind or a `prefix*`) ends Failed with this error. */
  failNext(kinds: string, error: ArmError = DEFAULT_OPERATION_ERROR): void {
    this.armed.push({ kinds, error });
  }

  start(kind: string, resourceId: string, hooks: OperationHooks): ArmOperation {
    this.made += 1;
    const armedIndex = this.armed.findIndex((armed) => matches(armed.kinds, kind));
    const armedError = armedIndex < 0 ? null : (this.armed[armedIndex]?.error ?? null);
    if (armedIndex >= 0) this.armed.splice(armedIndex, 1);
    const operation: ArmOperation = {
      id: `${this.made.toString(16).padStart(8, '0')}-0000-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`,
      kind,
      resourceId,
      startedAt: this.clock.now(),
      polls: 0,
      status: 'InProgress',
      endedAt: null,
      error: null,
      armedError,
      hooks,
    };
    this.operations.set(operation.id.toLowerCase(), operation);
    return operation;
  }

  /** A status poll: counts it, ends the operation when it is due. Undefined for an unknown id. */
  poll(id: string): ArmOperation | undefined {
    const operation = this.operations.get(id.toLowerCase());
    if (operation === undefined) return undefined;
    if (operation.status === 'InProgress') {
      operation.polls += 1;
      if (operation.polls >= this.settings.pollsToFinish) this.end(operation);
    }
    return operation;
  }

  /** Ends every operation whose time on the clock is up (called before each ARM request is served). */
  catchUp(): void {
    const now = this.clock.now().getTime();
    for (const operation of this.operations.values()) {
      if (operation.status === 'InProgress' && now - operation.startedAt.getTime() >= this.settings.secondsToFinish * 1000)
        this.end(operation);
    }
  }

  /** Ends every operation still in progress now (ARM finishing them unobserved). */
  finishAll(): void {
    for (const operation of this.operations.values()) if (operation.status === 'InProgress') this.end(operation);
  }

  /** Operations that were in progress on this resource end (superseded by a newer request). */
  supersede(resourceId: string): void {
    const key = resourceId.toLowerCase();
    for (const operation of this.operations.values()) {
      if (operation.status === 'InProgress' && operation.resourceId.toLowerCase() === key) {
        operation.status = 'Succeeded';
        operation.endedAt = this.clock.now();
      }
    }
  }

  list(): ArmOperation[] {
    return [...this.operations.values()];
  }

  private end(operation: ArmOperation): void {
    const error = operation.armedError ?? operation.hooks.finish();
    operation.endedAt = this.clock.now();
    if (error === null) {
      operation.status = 'Succeeded';
      return;
    }
    operation.status = 'Failed';
    operation.error = error;
    operation.hooks.fail(error);
  }
}

/** The operation status body ARM serves at the Azure-AsyncOperation URL. */
export function renderOperation(operation: ArmOperation): Record<string, unknown> {
  return {
    name: operation.id,
    status: operation.status,
    startTime: operation.startedAt.toISOString(),
    ...(operation.endedAt === null ? {} : { endTime: operation.endedAt.toISOString() }),
    ...(operation.error === null ? {} : { error: { code: operation.error.code, message: operation.error.message } }),
  };
}
