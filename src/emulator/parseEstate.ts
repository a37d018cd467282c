// Estate input (a file or the builders' output) parsed into a validated Estate.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import {
  deviceImageSeedSchema,
  estateSchema,
  managedImageSchema,
  provisioningPolicySchema,
  type DeviceImageSeed,
  type DeviceImageSeedInput,
  type Estate,
  type ManagedImageInput,
  type ManagedImageSpec,
  type ProvisioningPolicyInput,
  type ProvisioningPolicySeed,
} from './estateSchema';

/** An estate that is not valid; the message names every wrong field. */
export class EstateError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a valid estate: ${problems.join('; ')}`);
    this.name = 'EstateError';
  }
}

export function parseEstate(input: unknown, source = 'estate'): Estate {
  const result = estateSchema.safeParse(input);
  if (!result.success) throw new EstateError(source, describeIssues(result.error.issues));
  return result.data;
}

/** Any part of an estate, parsed with its schema (defaults applied); EstateError names the wrong fields. */
export function parseWith<Schema extends z.ZodType>(schema: Schema, input: unknown, source: string): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw new EstateError(source, describeIssues(result.error.issues));
  return result.data;
}

export function parseManagedImage(input: ManagedImageInput, source = 'managed image'): ManagedImageSpec {
  const result = managedImageSchema.safeParse(input);
  if (!result.success) throw new EstateError(source, describeIssues(result.error.issues));
  return result.data;
}

export function parseProvisioningPolicy(input: ProvisioningPolicyInput, source = 'provisioning policy'): ProvisioningPolicySeed {
  const result = provisioningPolicySchema.safeParse(input);
  if (!result.success) throw new EstateError(source, describeIssues(result.error.issues));
  return result.data;
}

export function parseDeviceImageSeed(input: DeviceImageSeedInput, source = 'device image'): DeviceImageSeed {
  const result = deviceImageSeedSchema.safeParse(input);
  if (!result.success) throw new EstateError(source, describeIssues(result.error.issues));
  return result.data;
}

export async function readEstateFile(path: string): Promise<Estate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EstateError(path, [`cannot be read (${error instanceof Error ? error.message : String(error)})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EstateError(path, [`is not JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  return parseEstate(json, path);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const field = fieldPath(issue.path);
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `${field === '' ? '(top level)' : field}: ${issue.message}${keys}`;
  });
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const name = String(segment);
    return text === '' ? name : `${text}.${name}`;
  }, '');
}
