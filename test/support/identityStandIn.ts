// A local stand-in for the Microsoft Entra ID endpoints the device code flow uses (OpenID
// metadata, devicecode, token), over HTTPS with the run's certificate, so that the real
// `@azure/identity` credentials and MSAL run against it through their `authorityHost` option.
// A device code is "entered" by the test (approve) or at once (autoApprove); every request is recorded.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { runCertificate } from './emulator';

export interface IdentityPerson {
  readonly username: string;
  readonly objectId: string;
}

export interface IdentityRequest {
  readonly path: string;
  /** The OAuth grant of a token request (`device_code`, `refresh_token`), else null. */
  readonly grantType: string | null;
  readonly clientId: string | null;
  readonly scope: string | null;
}

export interface IdentityStandIn {
  /** https://127.0.0.1:port: the AZURE_AUTHORITY_HOST. */
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly requests: readonly IdentityRequest[];
  /** The access tokens issued, in order, with the scope each was for. */
  readonly issued: readonly { readonly token: string; readonly scope: string; readonly grantType: string }[];
  /** Device codes asked for and not yet entered. */
  pendingUserCodes(): string[];
  /** The person enters the code: the next poll gets tokens. */
  approve(userCode: string): void;
  /** Every token request is refused with this OAuth error (null: answered again). */
  refuseTokens(refusal: { readonly error: string; readonly description: string } | null): void;
  stop(): Promise<void>;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startIdentityStandIn(options: {
  person: IdentityPerson;
  tenantId?: string;
  autoApprove?: boolean;
}): Promise<IdentityStandIn> {
  const tenantId = options.tenantId ?? '72f988bf-0000-4000-8000-00000000d001';
  const { person } = options;
  const requests: IdentityRequest[] = [];
  const issued: { token: string; scope: string; grantType: string }[] = [];
  const deviceCodes = new Map<string, { userCode: string; approved: boolean }>();
  const refreshTokens = new Set<string>();
  let authorityHost = '';
  let refusal: { readonly error: string; readonly description: string } | null = null;

  function tokens(clientId: string, scope: string, grantType: string) {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: clientId,
      iss: `${authorityHost}/${tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      oid: person.objectId,
      sub: person.objectId,
      tid: tenantId,
      preferred_username: person.username,
      name: person.username,
      ver: '2.0',
    };
    const accessToken = `stand-in-access-${randomUUID()}`;
    const refreshToken = `stand-in-refresh-${randomUUID()}`;
    refreshTokens.add(refreshToken);
    issued.push({ token: accessToken, scope, grantType });
    return {
      token_type: 'Bearer',
      scope: `${scope} offline_access openid profile`,
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`,
      client_info: base64url({ uid: person.objectId, utid: tenantId }),
    };
  }

  const server: Server = createServer(runCertificate(), (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', authorityHost);
      const form = new URLSearchParams(body);
      requests.push({ path: url.pathname, grantType: form.get('grant_type'), clientId: form.get('client_id'), scope: form.get('scope') });
      const send = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      const tenantBase = `${authorityHost}/${tenantId}`;
      if (url.pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
        return send(200, {
          issuer: `${tenantBase}/v2.0`,
          authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
          token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${tenantBase}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
          jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        });
      }
      if (url.pathname === `/${tenantId}/oauth2/v2.0/devicecode`) {
        const deviceCode = randomUUID();
        const userCode = `STAND${deviceCodes.size + 1}IN`;
        deviceCodes.set(deviceCode, { userCode, approved: options.autoApprove === true });
        return send(200, {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: `${authorityHost}/devicelogin`,
          expires_in: 900,
          interval: 1,
          message: `To sign in, use a web browser to open the page ${authorityHost}/devicelogin and enter the code ${userCode} to authenticate.`,
        });
      }
      if (url.pathname === `/${tenantId}/oauth2/v2.0/token`) {
        const grantType = form.get('grant_type') ?? '';
        const clientId = form.get('client_id') ?? '';
        if (refusal !== null) return send(400, { error: refusal.error, error_description: refusal.description, error_codes: [] });
        const scope = (form.get('scope') ?? '').split(' ').filter((item) => item.endsWith('/.default'))[0] ?? '';
        if (grantType === 'device_code' || grantType === 'urn:ietf:params:oauth:grant-type:device_code') {
          const code = deviceCodes.get(form.get('device_code') ?? '');
          if (code === undefined) return send(400, { error: 'invalid_grant', error_description: 'AADSTS70000: unknown device code' });
          if (!code.approved)
            return send(400, {
              error: 'authorization_pending',
              error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.',
            });
          return send(200, tokens(clientId, scope, 'device_code'));
        }
        if (grantType === 'refresh_token' && refreshTokens.has(form.get('refresh_token') ?? ''))
          return send(200, tokens(clientId, scope, 'refresh_token'));
        return send(400, { error: 'invalid_grant', error_description: `AADSTS9002313: the stand-in does not take grant ${grantType}` });
      }
      return send(404, { error: 'not_found', error_description: `the identity stand-in does not serve ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  authorityHost = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    authorityHost,
    tenantId,
    requests,
    issued,
    pendingUserCodes: () => [...deviceCodes.values()].filter((code) => !code.approved).map((code) => code.userCode),
    approve(userCode) {
      for (const code of deviceCodes.values()) if (code.userCode === userCode) code.approved = true;
    },
    refuseTokens(given) {
      refusal = given;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
