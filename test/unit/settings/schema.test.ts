import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../../src/config';
import { orNull, raw } from '../../../src/settings/read';
import { parseSettings, refusal, refuse } from '../../../src/settings/schema';

const word = z.string().refine(
  (value) => /^[a-z]+$/.test(value),
  refusal((value) => `"${value}" is not a word`, 'use letters a-z'),
);

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

describe('parseSettings', () => {
  const schema = z
    .object({ FIRST: orNull(word), SECOND: orNull(word) })
    .refine((settings) => settings.FIRST !== settings.SECOND || settings.FIRST === null, {
      ...refusal(() => 'repeats FIRST', 'give SECOND another word'),
      path: ['SECOND'],
    });

  it('returns the parsed settings, blank values unset', () => {
    expect(parseSettings(schema, { FIRST: ' abc ', SECOND: '  ' })).toEqual({ FIRST: 'abc', SECOND: null });
  });

  it('turns the first refused setting, in the schema order, into one ConfigError line with its fix', () => {
    const error = thrown(() => parseSettings(schema, { SECOND: 'B2', FIRST: 'A1' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ setting: 'FIRST', message: 'FIRST: "A1" is not a word. Fix: use letters a-z' });
  });

  it('names the setting an object-level rule points at', () => {
    expect(thrown(() => parseSettings(schema, { FIRST: 'same', SECOND: 'same' })).message).toBe(
      'SECOND: repeats FIRST. Fix: give SECOND another word',
    );
  });

  it('names the setting a refusal chooses, when it is not the field checked', () => {
    const storage = z.object({
      ACCOUNT: raw.transform((value, context) => value ?? refuse(context, 'is not set', 'set CONNECTION', 'CONNECTION')),
    });
    expect(thrown(() => parseSettings(storage, {})).message).toBe('CONNECTION: is not set. Fix: set CONNECTION');
  });

  it('refuses a schema check that says no fix as a programming error, not a setting error', () => {
    const error = thrown(() => parseSettings(z.object({ PORT: z.string().regex(/^\d+$/) }), { PORT: 'x' }));
    expect(error).not.toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^a settings schema refused PORT without naming the fix/);
  });
});
