import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TENANT_CHANGES } from '../../../src/rules/lifecycle';

const SRC = path.resolve(__dirname, '../../../src');

describe('the tenant changes and the evidence each needs (src/rules/lifecycle.ts)', () => {
  const named = TENANT_CHANGES.flatMap((change) => change.decidedBy.map((reference) => [change.action, reference] as const));

  it.each(named)('%s is decided by %s, a function that exists', async (_action, reference) => {
    const [file, name] = reference.split('#');
    if (file === undefined || name === undefined) throw new Error(`${reference} is not module#export`);
    const module = (await import(path.join(SRC, file))) as Record<string, unknown>;
    expect(typeof module[name], `${reference}: no such export`).toBe('function');
  });

  it('names each action once, with its evidence and what happens otherwise', () => {
    const actions = TENANT_CHANGES.map((change) => change.action);
    expect(new Set(actions).size).toBe(actions.length);
    for (const change of TENANT_CHANGES) {
      expect(change.evidence.length, change.action).toBeGreaterThan(20);
      expect(change.otherwise.length, change.action).toBeGreaterThan(10);
    }
  });
});
