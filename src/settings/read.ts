// Reading one setting: blank is unset, numbers and flags in the one wording every setting shares.
import { z } from 'zod';
import { ConfigError, type Environment } from './configError';
import { flagDefault, numberDefault } from './list';

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

/** A whole number from min to max; unset: the list's default. */
export function integer(env: Environment, name: string, min: number, max: number): number {
  const fallback = numberDefault(name);
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      name,
      `"${raw}" is not a whole number from ${min} to ${max}`,
      `set a whole number such as ${fallback}, or remove it for the default ${fallback}`,
    );
  }
  return Number(raw);
}

export function flag(env: Environment, name: string): boolean {
  const fallback = flagDefault(name);
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  throw new ConfigError(name, `"${raw}" is not true or false`, `set true or false, or remove it for the default ${fallback}`);
}

/** One of a few words: the schema says which, the error names the setting and the fix. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  raw: string,
  choices: T,
  refuse: (raw: string) => ConfigError,
): T[number] {
  const parsed = z.enum(choices).safeParse(raw);
  if (!parsed.success) throw refuse(raw);
  return parsed.data;
}

/**
 * An https URL without credentials, no trailing slash; unset: fallback. `secretFree` false: the
 * URL's path and query may be its secret (a webhook), so an error names the origin only.
 */
export function httpsUrl(env: Environment, name: string, fallback: string | null, example: string, secretFree = true): string | null {
  const raw = text(env, name) ?? fallback;
  if (raw === null) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, secretFree ? `"${raw}" is not a URL` : 'is not a URL', `set an https URL such as ${example}`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(
      name,
      `"${secretFree ? raw : `${url.protocol}//${url.host}/…`}" is not https`,
      `use an https URL such as ${example}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(name, 'the URL carries credentials', 'remove the user and password from the URL');
  }
  return url.toString().replace(/\/+$/, '');
}

/** Endpoints (not the webhooks) must be bare origins: a path would be silently combined with API paths. */
export function endpoint(env: Environment, name: string, fallback: string, example: string): string {
  const value = httpsUrl(env, name, fallback, example) ?? fallback;
  const url = new URL(value);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new ConfigError(name, `"${value}" has a path or query`, `give only the scheme and host, such as ${example}`);
  }
  return url.origin;
}

export function isLoopbackUrl(value: string): boolean {
  const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
