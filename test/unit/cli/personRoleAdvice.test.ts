import { RestError } from '@azure/core-rest-pipeline';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { personRoleAdvice, refusingService } from '../../../src/cli/personRoleAdvice';
import { ForbiddenError } from '../../../src/errors';
import { classifyGraphError } from '../../../src/graph/classifyGraphError';
import { classifyStorageError } from '../../../src/storage/classifyStorageError';
import { storageEndpoints } from '../../../src/storage/storageEndpoints';

const forbidden = (error: unknown): ForbiddenError => {
  if (!(error instanceof ForbiddenError)) throw new Error('expected a ForbiddenError');
  return error;
};

describe('personRoleAdvice', () => {
  it('a Graph 403 names the Windows 365 / Intune Administrator role and the consent', () => {
    const graph403 = new GraphError(403, 'Forbidden');
    const refused = forbidden(classifyGraphError(graph403, 'list device images'));
    expect(refusingService(refused)).toBe('graph');
    expect(personRoleAdvice(refused, 'megan@contoso.example')).toMatch(
      /^megan@contoso\.example needs the Microsoft Entra role Windows 365 Administrator or Intune Administrator .*admin consent to CloudPC\.ReadWrite\.All/,
    );
  });

  it('a storage 403 names the data role of docs/permissions.md', () => {
    const endpoints = storageEndpoints({
      kind: 'identity',
      accountName: 'stimagesync',
      clientId: null,
      queueServiceUri: 'https://stimagesync.queue.core.windows.net',
      tableServiceUri: 'https://stimagesync.table.core.windows.net',
    });
    const refused = forbidden(
      classifyStorageError(
        new RestError('denied', { statusCode: 403, code: 'AuthorizationPermissionMismatch' }),
        'ledger list',
        endpoints,
        'table',
      ),
    );
    expect(refusingService(refused)).toBe('storage');
    expect(personRoleAdvice(refused, 'megan@contoso.example')).toMatch(
      /needs the storage data role .*Storage Table Data Reader on the ledger table for status/,
    );
  });

  it('anything else refused is ARM: Reader on the scanned subscriptions', () => {
    const refused = new ForbiddenError({ message: 'list images: 403 AuthorizationFailed', status: 403, code: 'AuthorizationFailed' });
    expect(personRoleAdvice(refused, 'megan@contoso.example')).toMatch(/needs Reader on the scanned subscriptions/);
  });
});
