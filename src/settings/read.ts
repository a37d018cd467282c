// The pieces each concern's schema is built from: a setting as the environment holds it (blank is
// unset), and numbers, flags, choices, GUIDs and URLs in the one wording every setting shares.
import { z } from 'zod';
import type { Environment } from './configError';
import { flagDefault, numberDefault, textDefault } from './list';
import { refusal, refuse } from './schema';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The trimmed value, or undefined when unset or blank. */
export function text(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A setting as the environment holds it: trimmed, blank is unset (undefined). */
export const raw = z
  .string()
  .optional()
  .transform((value) => {
    const trimmed = value?.trim();
    return trimmed === '' ? undefined : trimmed;
  });

/** Unset: the list's default (settings.json), parsed like a value that was set. */
export function orListDefault<T>(name: string, schema: z.ZodType<T, string>) {
  return raw.pipe(schema.prefault(textDefault(name)));
}

/** Unset: null. */
export function orNull<T>(schema: z.ZodType<T, string>) {
  return raw.pipe(schema.optional()).transform((value) => value ?? null);
}

/** A setting that must be set: unset is refused ("is not set", or `problem`), naming `setting` when another one is meant. */
export function required<T>(schema: z.ZodType<T, string>, fix: string, options: { problem?: string; setting?: string } = {}) {
  return raw.transform((value, context) => value ?? refuse(context, options.problem ?? 'is not set', fix, options.setting)).pipe(schema);
}

/** A whole number from min to max; unset: the list's default. */
export function wholeNumber(name: string, min: number, max: number) {
  const fallback = numberDefault(name);
  const number = z
    .string()
    .refine(
      (value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max,
      refusal(
        (value) => `"${value}" is not a whole number from ${min} to ${max}`,
        `set a whole number such as ${fallback}, or remove it for the default ${fallback}`,
      ),
    )
    .transform(Number);
  return raw.pipe(number.default(fallback));
}

export function flag(name: string) {
  const fallback = flagDefault(name);
  const value = z
    .string()
    .refine(
      (value) => /^(true|false)$/i.test(value),
      refusal((value) => `"${value}" is not true or false`, `set true or false, or remove it for the default ${fallback}`),
    )
    .transform((value) => value.toLowerCase() === 'true');
  return raw.pipe(value.default(fallback));
}

/** One of a few words (case as given): the refusal words the problem and the fix, z.enum types the result. */
export function oneOf<const T extends readonly [string, ...string[]]>(choices: T, problem: (value: string) => string, fix: string) {
  return z
    .string()
    .refine((value) => (choices as readonly string[]).includes(value), refusal(problem, fix))
    .pipe(z.enum(choices));
}

/** A GUID, refused with `problem` and `fix`. */
export function guid(problem: (value: string) => string, fix: string) {
  return z.string().refine((value) => GUID.test(value), refusal(problem, fix));
}

/**
 * An https URL without credentials, no trailing slash. `secretFree` false: the URL's path and query
 * may be its secret (a webhook), so a refusal names the origin only.
 */
export function httpsUrl(example: string, secretFree = true) {
  return z.string().transform((value, context) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return refuse(context, secretFree ? `"${value}" is not a URL` : 'is not a URL', `set an https URL such as ${example}`);
    }
    if (url.protocol !== 'https:') {
      const shown = secretFree ? value : `${url.protocol}//${url.host}/…`;
      return refuse(context, `"${shown}" is not https`, `use an https URL such as ${example}`);
    }
    if (url.username !== '' || url.password !== '') {
      return refuse(context, 'the URL carries credentials', 'remove the user and password from the URL');
    }
    return url.toString().replace(/\/+$/, '');
  });
}

/** Endpoints (not the webhooks) must be bare origins: a path would be silently combined with API paths. Unset: the list's default. */
export function endpoint(name: string, example: string) {
  const origin = httpsUrl(example).transform((value, context) => {
    const url = new URL(value);
    if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
      return refuse(context, `"${value}" has a path or query`, `give only the scheme and host, such as ${example}`);
    }
    return url.origin;
  });
  return orListDefault(name, origin);
}

export function isLoopbackUrl(value: string): boolean {
  const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
