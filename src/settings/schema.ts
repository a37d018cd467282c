// The one place a settings schema's zod issue becomes a ConfigError: every check says its problem
// (worded from the value) and its fix, carried on the issue, so the message is "SETTING: problem. Fix: …".
import { z } from 'zod';
import { ConfigError, type Environment } from './configError';

interface RefusalParams {
  /** How to put the setting right. */
  readonly fix: string;
  /** The setting to name when not the one checked (a missing connection string is reported as AzureWebJobsStorage). */
  readonly setting?: string;
}

/** A refinement's params: the problem, worded from the refused value, and the fix. Later checks of the value do not run. */
export function refusal(problem: (value: string) => string, fix: string) {
  return {
    error: (issue: { readonly input?: unknown }) => problem(String(issue.input)),
    params: { fix } satisfies RefusalParams,
    abort: true,
  };
}

/** Refuses inside a transform or an object-level rule; `setting` names the setting when the rule is not on its own field. */
export function refuse(context: z.RefinementCtx, problem: string, fix: string, setting?: string): never {
  const params: RefusalParams = setting === undefined ? { fix } : { fix, setting };
  context.addIssue({ code: 'custom', message: problem, params, ...(setting === undefined ? {} : { path: [setting] }) });
  return z.NEVER;
}

/** Parses the environment with a concern's schema; the first refusal becomes the ConfigError. */
export function parseSettings<T>(schema: z.ZodType<T>, env: Environment): T {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const params = (issue.code === 'custom' ? issue.params : undefined) as RefusalParams | undefined;
  const setting = params?.setting ?? issue.path[0];
  if (params === undefined || typeof setting !== 'string') {
    throw new Error(`a settings schema refused ${String(issue.path.join('.'))} without naming the fix: ${issue.message}`);
  }
  throw new ConfigError(setting, issue.message, params.fix);
}
