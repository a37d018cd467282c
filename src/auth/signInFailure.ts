// What a failed `image-sync login` says: Microsoft Entra's AADSTS code turned into what to do. The
// device code flow's polling keeps only the OAuth error (MSAL drops the description: Entra showed
// the reason in the browser where the code was entered), so the OAuth errors are read as well.
import { AuthenticationError } from '@azure/identity';
import { PermanentError, errorMessage } from '../errors';

const ADVICE: ReadonlyArray<readonly [RegExp, (clientId: string) => string]> = [
  [
    /AADSTS65001|AADSTS90094|consent/i,
    (id) => `an administrator must consent to the registration's permissions once: az ad app permission admin-consent --id ${id}`,
  ],
  [/AADSTS700016/, () => 'the application is not in this tenant: check IMAGE_SYNC_CLIENT_ID and AZURE_TENANT_ID'],
  [
    /AADSTS7000218|AADSTS700025/,
    (id) => `the registration must allow public client flows: az ad app update --id ${id} --is-fallback-public-client true`,
  ],
  [/AADSTS90002|AADSTS900023/, () => 'the tenant was not found: check AZURE_TENANT_ID'],
  [
    /AADSTS70016|AADSTS70020|expired_token|authorization_pending/i,
    () => 'the device code expired before it was entered: run image-sync login again',
  ],
  [/\bauthorization_declined\b/, () => 'the sign-in was declined in the browser: run image-sync login again'],
  [
    /\b(?:invalid_client|unauthorized_client)\b/,
    (id) => `the registration must allow public client flows: az ad app update --id ${id} --is-fallback-public-client true`,
  ],
  [
    /\binvalid_grant\b/,
    (id) =>
      `Entra refused the grant, for the reason the browser showed; most often an administrator has not consented to the registration's permissions: az ad app permission admin-consent --id ${id}`,
  ],
  [
    /AADSTS50105/,
    () =>
      'you are not assigned to the application: ask an administrator to assign you (Enterprise applications > the registration > Users and groups)',
  ],
];

export function signInFailure(error: unknown, clientId: string): PermanentError {
  // Entra's own sentence (AADSTS code first) is the description; the message's first line is only the OAuth error and status.
  const described = error instanceof AuthenticationError ? error.errorResponse.errorDescription : '';
  const detail = (described.trim() === '' ? errorMessage(error) : described).split(/\r?\n/)[0]?.trim() ?? '';
  const advice = ADVICE.find(([pattern]) => pattern.test(errorMessage(error)))?.[1](clientId);
  const what = error instanceof AuthenticationError ? 'Microsoft Entra ID refused the sign-in' : 'the sign-in did not finish';
  return new PermanentError({
    message: `${what} (${detail})${advice === undefined ? '' : `: ${advice}`}`,
    status: null,
    code: 'SignInFailed',
    cause: error,
  });
}
