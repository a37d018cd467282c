// Structured logging: an event name and fields. The sink differs per runtime (the Functions host's
// InvocationContext, the CLI's stderr); redaction is the same everywhere.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export type LogSink = (level: LogLevel, line: string) => void;

const SECRET_FIELD = /(token|secret|password|key|connectionstring|authorization|sig|credential)/i;
const SECRET_PATTERNS: readonly RegExp[] = [
  /(AccountKey=)[^;"\s]+/gi,
  /(SharedAccessSignature=)[^;"\s]+/gi,
  /([?&]sig=)[^&"\s]+/gi,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /(eyJ[A-Za-z0-9_-]{8,})\.[A-Za-z0-9._-]+/g,
];

/** Removes credentials from free text: storage keys, SAS signatures, bearer tokens, JWTs. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '$1[redacted]');
  return out;
}

function redactValue(name: string, value: unknown): unknown {
  if (SECRET_FIELD.test(name) && typeof value === 'string' && value !== '') return '[redacted]';
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return redactText(value.message);
  return value;
}

/** One log line: `event {json fields}`, secrets removed. */
export function formatLogLine(event: string, fields: LogFields = {}): string {
  const safe: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) safe[name] = redactValue(name, value);
  return Object.keys(safe).length === 0 ? event : `${event} ${JSON.stringify(safe)}`;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `minLevel`: lines below it are dropped before they are formatted (redaction and JSON cost CPU). */
export function createLogger(sink: LogSink, minLevel: LogLevel = 'debug'): Logger {
  const dropped = (_event: string, _fields?: LogFields): void => undefined;
  const at = (level: LogLevel) =>
    LEVELS.indexOf(level) < LEVELS.indexOf(minLevel)
      ? dropped
      : (event: string, fields?: LogFields) => sink(level, formatLogLine(event, fields));
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Drops everything; for callers that must not print (e.g. `--json` on stdout). */
export const silentLogger: Logger = createLogger(() => undefined);
