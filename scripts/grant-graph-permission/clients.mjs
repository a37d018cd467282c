// The HTTP clients for Microsoft Graph and Azure Resource Manager (fetch, every page of a list) and
// their tokens from the Azure CLI when none is given.
import { execFileSync } from 'node:child_process';
import { ScriptError } from './reporting.mjs';

export function azToken(resourceType) {
  try {
    return execFileSync('az', ['account', 'get-access-token', '--resource-type', resourceType, '--query', 'accessToken', '-o', 'tsv'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    }).trim();
  } catch (error) {
    const detail = String(error.stderr ?? error.message)
      .trim()
      .split('\n')[0];
    throw new ScriptError(
      `could not get a ${resourceType} token from the Azure CLI (${detail}); run "az login", or pass --${resourceType === 'ms-graph' ? 'token' : 'arm-token'}`,
    );
  }
}

export function client(base, token, service) {
  const request = async (method, pathAndQuery, body) => {
    const url = pathAndQuery.startsWith('https://') ? pathAndQuery : `${base}${pathAndQuery}`;
    const response = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    const json = text === '' ? {} : JSON.parse(text);
    if (!response.ok) {
      const error = json.error ?? {};
      const hint =
        response.status === 401 || response.status === 403 ? ' (sign in with an account that holds the role named in --help)' : '';
      throw new ScriptError(
        `${service} ${method} ${url} answered ${response.status} ${error.code ?? ''} ${error.message ?? ''}`.trim() + hint,
      );
    }
    return json;
  };
  const list = async (pathAndQuery) => {
    const items = [];
    let next = pathAndQuery;
    while (next) {
      const page = await request('GET', next);
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'] ?? page.nextLink;
    }
    return items;
  };
  return { request, list };
}

export async function servicePrincipalByAppId(graph, appId) {
  const filter = encodeURIComponent(`appId eq '${appId}'`);
  const found = await graph.list(`/v1.0/servicePrincipals?$filter=${filter}&$select=id,appId,displayName,appRoles`);
  return found[0];
}
