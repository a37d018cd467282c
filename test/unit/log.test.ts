import { describe, expect, it } from 'vitest';
import { type LogLevel, createLogger, formatLogLine, redactText } from '../../src/log';

describe('log lines', () => {
  it('writes the event and its fields as JSON, with secrets in named fields and in text removed', () => {
    const line = formatLogLine('ProblemRecorded', {
      sourceImageResourceId: '/subscriptions/x',
      webhookSecret: 'hush',
      detail: 'got Bearer abc.def.ghi from AccountKey=k3y;',
    });
    expect(line).toBe(
      'ProblemRecorded {"sourceImageResourceId":"/subscriptions/x","webhookSecret":"[redacted]","detail":"got Bearer [redacted] from AccountKey=[redacted];"}',
    );
    expect(formatLogLine('ReconcileStarted')).toBe('ReconcileStarted');
  });

  it('removes SAS signatures from URLs', () => {
    expect(redactText('https://acct.queue.core.windows.net/q?sv=2024&sig=abc%2Fdef&se=1')).toBe(
      'https://acct.queue.core.windows.net/q?sv=2024&sig=[redacted]&se=1',
    );
  });
});

describe('createLogger', () => {
  it('sends every level to the sink by default', () => {
    const lines: [LogLevel, string][] = [];
    const log = createLogger((level, line) => lines.push([level, line]));
    log.debug('A');
    log.info('B', { n: 1 });
    log.warn('C');
    log.error('D');
    expect(lines).toEqual([
      ['debug', 'A'],
      ['info', 'B {"n":1}'],
      ['warn', 'C'],
      ['error', 'D'],
    ]);
  });

  it('drops the levels below its minimum without formatting them', () => {
    const lines: string[] = [];
    const log = createLogger((level, line) => lines.push(`${level}: ${line}`), 'warn');
    let read = 0;
    const fields = {
      get detail(): string {
        read += 1;
        return 'text';
      },
    };
    log.debug('Quiet', fields);
    log.info('Quiet', fields);
    expect(read).toBe(0);
    log.warn('Heard', fields);
    expect(lines).toEqual(['warn: Heard {"detail":"text"}']);
  });
});
