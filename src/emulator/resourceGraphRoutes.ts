// Azure Resource Graph's query API (`POST /providers/Microsoft.ResourceGraph/resources`), answered
// from the same managed images and gallery definitions and versions the ARM routes serve: the readable subscriptions of the
// request (or every readable one when it names none; unreadable ones are left out, as Resource
// Graph leaves them out), filtered and projected as the recognised query says, ordered, and paged
// with `$top` (at most 1,000) and an opaque `$skipToken` tied to the query and its scope.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { GalleryCatalogue } from './galleryCatalogue';
import type { ManagedImageCatalogue, SubscriptionRecord } from './managedImageCatalogue';
import { queryParameter } from './paging';
import { jsonReply, Refusal, type Reply } from './replies';
import { type ProjectedColumn, type QueryableType, type RecognisedQuery, recogniseQuery } from './resourceGraphQuery';
import type { IncomingRequest, RouteHandler } from './routeHandler';

export type ResourceGraphRoute = { readonly kind: 'resourceGraph.resources' };

export const answerResourceGraphRoute: RouteHandler<ResourceGraphRoute> = (_route, request, { tenant }) =>
  answerResourceGraph(request, { catalogue: tenant.catalogue, galleries: tenant.galleries });

export interface ResourceGraphContext {
  readonly catalogue: ManagedImageCatalogue;
  readonly galleries: GalleryCatalogue;
}

const MAX_TOP = 1_000;
const QUOTA_HEADERS = { 'x-ms-user-quota-remaining': '14', 'x-ms-user-quota-resets-after': '00:00:05' };

const requestSchema = z.looseObject({
  subscriptions: z.array(z.string()).optional(),
  managementGroups: z.array(z.string()).optional(),
  query: z.string().min(1),
  options: z
    .looseObject({
      $top: z.number().int().optional(),
      $skip: z.number().int().optional(),
      $skipToken: z.string().optional(),
      resultFormat: z.string().optional(),
      allowPartialScopes: z.boolean().optional(),
    })
    .optional(),
  facets: z.array(z.unknown()).optional(),
});

type Row = Record<string, unknown>;

function read(row: Row, path: readonly string[]): unknown {
  let value: unknown = row;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const entry = Object.entries(value).find(([name]) => name.toLowerCase() === key.toLowerCase());
    value = entry?.[1] ?? null;
  }
  return value;
}

/** KQL's tostring(): '' for null, the text of a string, JSON for a dynamic object or array. */
function kqlToString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

function project(row: Row, columns: readonly ProjectedColumn[]): Row {
  const projected: Row = {};
  for (const column of columns) {
    const value = read(row, column.path);
    if (column.apply === 'tostring') projected[column.name] = kqlToString(value);
    else if (column.apply === 'array_length') projected[column.name] = Array.isArray(value) ? value.length : null;
    else projected[column.name] = value;
  }
  return projected;
}

function readable(subscription: SubscriptionRecord | undefined): subscription is SubscriptionRecord {
  return subscription !== undefined && subscription.access === 'readable';
}

/** The resources of a subscription of the query's type, as ARM renders them, with their id and group. */
function resourcesOf(
  type: QueryableType,
  subscriptionId: string,
  context: ResourceGraphContext,
): { json: Row; id: string; resourceGroup: string }[] {
  const { catalogue, galleries } = context;
  if (type === 'microsoft.compute/images')
    return catalogue
      .images(subscriptionId)
      .map((image) => ({ json: image.json, id: image.resourceId, resourceGroup: image.resourceGroup }));
  if (type === 'microsoft.compute/galleries/images')
    return galleries
      .images(subscriptionId)
      .map((image) => ({ json: galleries.renderImage(image), id: image.id, resourceGroup: image.gallery.resourceGroup }));
  return galleries
    .versions(subscriptionId)
    .map((version) => ({ json: galleries.renderVersion(version), id: version.id, resourceGroup: version.image.gallery.resourceGroup }));
}

function rowsOf(query: RecognisedQuery, subscriptions: readonly SubscriptionRecord[], context: ResourceGraphContext): Row[] {
  const groups = query.resourceGroups?.map((group) => group.toLowerCase()) ?? null;
  const rows: Row[] = [];
  for (const subscription of subscriptions) {
    for (const image of resourcesOf(query.type, subscription.id, context)) {
      if (groups !== null && !groups.includes(image.resourceGroup.toLowerCase())) continue;
      const resource: Row = {
        ...image.json,
        id: image.id,
        type: query.type,
        subscriptionId: subscription.id,
        resourceGroup: image.resourceGroup.toLowerCase(),
      };
      const tags = typeof image.json['tags'] === 'object' && image.json['tags'] !== null ? Object.entries(image.json['tags']) : [];
      // mv-expand: one row per tag that matches (Azure keeps tag names unique, case-insensitively).
      const { tag } = query;
      const matches =
        tag === null
          ? 1
          : tags.filter(
              ([name, value]) =>
                name.toLowerCase() === tag.name.toLowerCase() && String(value).trim().toLowerCase() === tag.value.toLowerCase(),
            ).length;
      for (let copy = 0; copy < matches; copy++) rows.push(project(resource, query.columns));
    }
    if (query.withSubscriptionRows) rows.push({ id: `/subscriptions/${subscription.id}`, subscriptionId: subscription.id });
  }
  if (query.orderedById)
    rows.sort((left, right) => (String(left['id']) < String(right['id']) ? -1 : String(left['id']) > String(right['id']) ? 1 : 0));
  return rows;
}

function scopeKey(query: string, subscriptions: readonly string[] | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify([query, subscriptions ?? null]))
    .digest('base64url')
    .slice(0, 16);
}

function offsetOf(skipToken: string, key: string): number {
  const decoded = /^(\d{1,9}):(.+)$/.exec(Buffer.from(skipToken, 'base64url').toString('utf8'));
  if (decoded?.[1] === undefined) throw new Refusal(400, 'BadRequest', `The $skipToken '${skipToken}' is not valid.`);
  if (decoded[2] !== key)
    throw new Refusal(
      400,
      'BadRequest',
      'The $skipToken belongs to another query or scope: send it with the same query and subscriptions it came with.',
    );
  return Number(decoded[1]);
}

export function answerResourceGraph(request: IncomingRequest, context: ResourceGraphContext): Reply {
  const apiVersion = queryParameter(request.url, 'api-version');
  if (apiVersion === null || apiVersion === '')
    throw new Refusal(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  let json: unknown;
  try {
    json = JSON.parse(request.body);
  } catch {
    throw new Refusal(400, 'BadRequest', 'The request body is not JSON.');
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success)
    throw new Refusal(400, 'BadRequest', `The request body is not a query request: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  const body = parsed.data;
  if (body.managementGroups !== undefined)
    throw new Refusal(400, 'BadRequest', 'The emulator scopes queries by subscriptions only, not management groups.');
  if (body.facets !== undefined && body.facets.length > 0) throw new Refusal(400, 'BadRequest', 'The emulator does not compute facets.');
  const options = body.options ?? {};
  if (options.resultFormat !== 'objectArray')
    throw new Refusal(
      400,
      'BadRequest',
      `The emulator answers resultFormat objectArray only (asked: ${options.resultFormat ?? 'the default, table'}).`,
    );
  if (options.$skip !== undefined) throw new Refusal(400, 'BadRequest', 'The emulator pages with $skipToken only, not $skip.');
  const top = options.$top ?? MAX_TOP;
  if (top < 1 || top > MAX_TOP) throw new Refusal(400, 'BadRequest', `$top must be from 1 to ${MAX_TOP} (asked: ${top}).`);

  const query = recogniseQuery(body.query);
  const subscriptions = (
    body.subscriptions === undefined
      ? context.catalogue.allSubscriptions()
      : body.subscriptions.map((id) => context.catalogue.subscription(id))
  ).filter(readable);
  const rows = rowsOf(query, subscriptions, context);
  const key = scopeKey(body.query, body.subscriptions);
  const offset = options.$skipToken === undefined ? 0 : offsetOf(options.$skipToken, key);
  const page = rows.slice(offset, offset + top);
  const end = offset + page.length;
  const answer: Record<string, unknown> = {
    totalRecords: rows.length,
    count: page.length,
    resultTruncated: 'false',
    data: page,
    facets: [],
  };
  if (end < rows.length) answer['$skipToken'] = Buffer.from(`${end}:${key}`).toString('base64url');
  return jsonReply(200, answer, QUOTA_HEADERS);
}
