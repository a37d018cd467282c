import { AuthenticationError } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { signInFailure } from '../../../src/auth/signInFailure';

const CLIENT = '5c0ffee0-0000-4000-8000-00000000c11e';
const refused = (code: string, description: string) =>
  new AuthenticationError(400, { error: code, error_description: `${description}\r\nTrace ID: 0000\r\nTimestamp: 2026-12-06` });

describe('signInFailure', () => {
  it('turns a consent refusal into the admin-consent command for the registration', () => {
    const failure = signInFailure(
      refused('invalid_grant', 'AADSTS65001: The user or administrator has not consented to use the application'),
      CLIENT,
    );
    expect(failure.message).toMatch(/^Microsoft Entra ID refused the sign-in \(.*AADSTS65001.*\): an administrator must consent/);
    expect(failure.message).toContain(`az ad app permission admin-consent --id ${CLIENT}`);
    expect(failure.message).not.toMatch(/Trace ID/);
  });

  it('says public client flows must be allowed, and how', () => {
    const failure = signInFailure(
      refused('invalid_client', 'AADSTS7000218: The request body must contain client_assertion or client_secret'),
      CLIENT,
    );
    expect(failure.message).toContain(`az ad app update --id ${CLIENT} --is-fallback-public-client true`);
  });

  it('points at the settings when the application is not in the tenant', () => {
    const failure = signInFailure(
      refused('unauthorized_client', 'AADSTS700016: Application with identifier was not found in the directory'),
      CLIENT,
    );
    expect(failure.message).toMatch(/check IMAGE_SYNC_CLIENT_ID and AZURE_TENANT_ID$/);
  });

  it('keeps anything else as it came, without advice it cannot give', () => {
    const failure = signInFailure(new Error('connect ECONNREFUSED 127.0.0.1:443'), CLIENT);
    expect(failure.message).toBe('the sign-in did not finish (connect ECONNREFUSED 127.0.0.1:443)');
  });
});
