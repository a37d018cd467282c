export type Environment = Readonly<Record<string, string | undefined>>;

/** A setting that is missing or wrong; the message is one line naming the setting and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
    fix: string,
  ) {
    super(`${setting}: ${problem}. Fix: ${fix}`);
    this.name = 'ConfigError';
  }
}
