// The one thing `image-sync login` keeps on disk: the non-secret authentication record (who signed
// in, to which application and tenant), in the user's config folder. Tokens never go here: they
// live in the operating system's protected store, or only in the process (protectedTokenCache.ts).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { type AuthenticationRecord, serializeAuthenticationRecord } from '@azure/identity';
import { z } from 'zod';
import type { Environment } from '../config';
import { PermanentError, errorMessage } from '../errors';

const RECORD_FILE = 'authentication-record.json';

/** The user's config folder for image-sync: `%APPDATA%`, `~/Library/Application Support`, or `$XDG_CONFIG_HOME` (`~/.config`). */
export function signInFolder(env: Environment, platform: NodeJS.Platform = process.platform): string {
  const home = env['HOME'] ?? env['USERPROFILE'] ?? homedir();
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'image-sync');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'image-sync');
  const xdg = env['XDG_CONFIG_HOME'];
  return path.join(xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'image-sync');
}

export function signInRecordPath(env: Environment): string {
  return path.join(signInFolder(env), RECORD_FILE);
}

const recordSchema = z.object({
  authority: z.string().min(1),
  homeAccountId: z.string().min(1),
  clientId: z.string().min(1),
  tenantId: z.string().min(1),
  username: z.string(),
});

/** The record, or null when nobody is signed in. A file that is not a record is an error that says to log out. */
export async function readSignInRecord(env: Environment): Promise<AuthenticationRecord | null> {
  const file = signInRecordPath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PermanentError({ message: `cannot read the sign-in record ${file}: ${errorMessage(error)}`, status: null });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const record = recordSchema.safeParse(parsed);
  if (!record.success)
    throw new PermanentError({
      message: `${file} is not a sign-in record image-sync wrote: run image-sync logout, then image-sync login`,
      status: null,
    });
  return record.data;
}

/** Owner-only, though it holds no secret: it names the person and the tenant. */
export async function writeSignInRecord(env: Environment, record: AuthenticationRecord): Promise<string> {
  const file = signInRecordPath(env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${serializeAuthenticationRecord(record)}\n`, { mode: 0o600 });
  return file;
}

/** True when there was a record to remove. */
export async function removeSignInRecord(env: Environment): Promise<boolean> {
  const file = signInRecordPath(env);
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new PermanentError({ message: `cannot remove the sign-in record ${file}: ${errorMessage(error)}`, status: null });
  }
}
