// The emulator: an HTTPS server on loopback playing ARM (managed images) and Graph (Cloud PC device
// images) for one estate, with fault knobs and a log of every request.
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../domain';
import { answerRequest, bearerTokenOf } from './answerRequest';
import { makeCertificate, writeCertificate, type TlsCertificate } from './certificate';
import { type CloudPcControls, createCloudPcControls } from './cloudPcControls';
import { createGalleryControls, type GalleryControls } from './galleryControls';
import { describeDeviceImage, type EmulatedDeviceImage } from './deviceImageRecord';
import type { DuplicateSource } from './deviceImageStore';
import type { DeviceImageSeedInput, EstateInput, ManagedImageInput, ProvisioningPolicyInput, SubscriptionAccess } from './estateSchema';
import { FaultInjector, type FaultAction, type FaultName } from './faultInjector';
import type { FaultRule } from './faultRules';
import { readBody, resetConnection, writeReply } from './httpExchange';
import type { ManagedImageRebuild } from './managedImageCatalogue';
import { parseDeviceImageSeed, parseEstate, parseManagedImage, parseProvisioningPolicy } from './parseEstate';
import { describeProvisioningPolicy, type EmulatedProvisioningPolicy } from './provisioningPolicyStore';
import { seededRandom } from './randomSource';
import { errorReply, malformedReply, type Reply } from './replies';
import { RequestLog, type EarlyRetry, type EarlyRetryOptions, type RecordedRequest } from './requestLog';
import { graphVersionOf, routeRequest, serviceOf } from './routes';
import { createTenant } from './tenant';
import { TimedChanges, type TimedEdit } from './timedChanges';

export interface EmulatorOptions {
  /** The estate: builder output, parsed JSON, or an already parsed Estate. */
  readonly estate: EstateInput;
  /** 0 (default): a free port. */
  readonly port?: number;
  /** A certificate to serve; without one, a fresh self-signed one is made. */
  readonly tls?: TlsCertificate & { readonly certPath?: string };
  /** Seed of the fault and id randomness (default 1): the same seed replays the same faults. */
  readonly seed?: number;
  /** The clock uploads settle on (default: system time). Faults and the log use real time. */
  readonly clock?: Clock;
  /** Fault rules active from the start, after the estate's own. */
  readonly faults?: readonly FaultRule[];
  /** The bearer token every request must carry (overrides the estate's); default: any token. */
  readonly token?: string;
}

/** Settings the app needs to talk to this emulator (names of docs/DESIGN §3). */
export interface EmulatorSettings {
  readonly GRAPH_ENDPOINT: string;
  readonly ARM_ENDPOINT: string;
  readonly IMAGE_SYNC_STATIC_TOKEN: string;
  readonly IMAGE_SYNC_SUBSCRIPTION_IDS: string;
  readonly NODE_EXTRA_CA_CERTS: string;
}

export interface Emulator extends CloudPcControls, GalleryControls {
  /** `https://127.0.0.1:PORT`, no trailing slash: both GRAPH_ENDPOINT and ARM_ENDPOINT. */
  readonly url: string;
  /** `127.0.0.1`: what the Graph client's `customHosts` needs (a host name, no port). */
  readonly host: string;
  readonly port: number;
  /** PEM file of the certificate, for NODE_EXTRA_CA_CERTS. */
  readonly caCertificatePath: string;
  /** The token clients should send (the required one, or a fixed placeholder when any is accepted). */
  readonly token: string;
  /** Every request so far, in arrival order (live). */
  readonly requests: readonly RecordedRequest[];
  counts(): Record<string, number>;
  count(kind: string): number;
  earlyRetries(options?: EarlyRetryOptions): EarlyRetry[];
  clearRequests(): void;
  /** Replaces the run-time fault rules (the estate's and the start options' included). */
  setFaults(...rules: FaultRule[]): void;
  clearFaults(): void;
  deviceImages(options?: { readonly includeDeleted?: boolean }): EmulatedDeviceImage[];
  /** Registrations (source image, case-insensitively, and version) with more than one device image; deleted ones count unless excluded. */
  duplicateDeviceImages(options?: { readonly includeDeleted?: boolean }): DuplicateSource[];
  setSubscriptionAccess(subscriptionId: string, access: SubscriptionAccess): void;
  setWindows365CanRead(subscriptionId: string, canRead: boolean): void;
  /** Adds or replaces a managed image; returns its resource id. */
  putManagedImage(subscriptionId: string, resourceGroup: string, image: ManagedImageInput): string;
  removeManagedImage(resourceId: string): boolean;
  /**
   * Rebuilds a managed image in place, as Azure Image Builder does: the same resource id, a new build
   * (in its OS disk and source VM ids) and, when given, new tags replacing the old ones whole.
   * Throws when there is no such image. Uploads started afterwards see the rebuilt image.
   */
  rebuildManagedImage(resourceId: string, changes: ManagedImageRebuild): void;
  provisioningPolicies(): EmulatedProvisioningPolicy[];
  /** Adds a provisioning policy, or replaces the one with its id; returns its id. Not checked against the device images. */
  putProvisioningPolicy(input: ProvisioningPolicyInput): string;
  /**
   * An administrator uploads a device image by hand (the Intune admin center): added as the seed
   * says (ready by default), created now; returns its id. Throws when its displayName+version is taken.
   */
  putDeviceImage(input: DeviceImageSeedInput): string;
  /**
   * An administrator deletes a device image by hand; false when the tenant has no such image.
   * Throws, as Graph refuses, when a provisioning policy uses it.
   */
  deleteDeviceImage(deviceImageId: string): boolean;
  /** Deletes a provisioning policy (any casing of its id): Graph answers 404 for it from then on; false when there was none. */
  removeProvisioningPolicy(policyId: string): boolean;
  /**
   * Runs `edit` once, when the next request of `kind` (or a `prefix*`) arrives, before it is served
   * (and before the fault knobs): the request sees the change. An edit may be async; it is awaited.
   */
  beforeNext(kind: string, edit: TimedEdit): void;
  /** Runs `edit` once, right after the next request of `kind` is answered: its answer shows the tenant as it was. */
  afterNext(kind: string, edit: TimedEdit): void;
  settings(): EmulatorSettings;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
}

const ANY_TOKEN_PLACEHOLDER = 'emulator-static-token';

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const estate = parseEstate(options.estate);
  const clock = options.clock ?? systemClock;
  const startedAt = performance.now();
  const elapsedMs = () => performance.now() - startedAt;
  const tenant = createTenant(estate, clock, seededRandom((options.seed ?? 1) + 1));
  const faults = new FaultInjector(seededRandom(options.seed ?? 1), elapsedMs);
  faults.set([...estate.faults, ...(options.faults ?? [])]);
  const log = new RequestLog();
  const timed = new TimedChanges();
  const requiredToken = options.token ?? estate.token;

  const certificate = options.tls ?? (await makeCertificate());
  const files = options.tls?.certPath === undefined ? await writeCertificate(certificate) : null;
  const caCertificatePath = files?.certPath ?? options.tls?.certPath ?? '';

  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let sequence = 0;
  let origin = '';

  const { catchUp: catchUpCloudPcs, ...cloudPcControls } = createCloudPcControls(tenant);

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    sequence += 1;
    const arrival = { sequence, at: new Date().toISOString(), receivedAtMs: elapsedMs() };
    const body = await readBody(request);
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', origin);
    const route = routeRequest(method, url.pathname);
    const service = serviceOf(route);
    catchUpCloudPcs();
    await timed.run(route.kind, 'before');
    const decision = service === 'unknown' ? { latencyMs: 0, action: null } : faults.beforeServing(service, route.kind);
    if (decision.latencyMs > 0) await pause(decision.latencyMs);
    if (stopped) return;

    let action: FaultAction | null = decision.action;
    let reply: Reply | null = null;
    let malformed = false;
    if (action === null) {
      const lagSeconds = service === 'graph' ? faults.listingLagSeconds(service, route.kind) : null;
      const listedBefore = lagSeconds === null ? null : new Date(clock.now().getTime() - lagSeconds * 1000);
      reply = answerRequest(route, { url, body, headers: request.headers }, { tenant, origin, token: requiredToken, listedBefore });
      if (service !== 'unknown' && reply.status >= 200 && reply.status < 300) action = faults.afterSideEffect(service, route.kind);
      if (action === null && service !== 'unknown' && isSuccessWithBody(reply) && faults.answersMalformed(service, route.kind)) {
        reply = malformedReply(reply);
        malformed = true;
      }
    }
    if (action !== null && action.answer === 'status') {
      const retryAfter: Record<string, string> =
        action.retryAfterSeconds === null ? {} : { 'Retry-After': String(action.retryAfterSeconds) };
      reply = errorReply(service, {
        status: action.status,
        code: action.code,
        message: action.message ?? faultMessage(action.fault, action.status),
        headers: retryAfter,
      });
    }
    const fault: FaultName | null = action?.fault ?? (malformed ? 'malformed' : null);
    // The answer is made: an edit now lands before the app can see (or act on) it.
    await timed.run(route.kind, 'after');
    if (action?.answer === 'reset' || reply === null) resetConnection(request);
    else writeReply(response, service, reply, request);

    log.add({
      ...arrival,
      answeredAtMs: elapsedMs(),
      service,
      method,
      path: request.url ?? '/',
      kind: route.kind,
      graphVersion: graphVersionOf(route),
      status: action?.answer === 'reset' || reply === null ? 'reset' : reply.status,
      fault,
      latencyMs: decision.latencyMs,
      retryAfterSeconds: action?.answer === 'status' ? action.retryAfterSeconds : null,
      hasBearerToken: bearerTokenOf(request.headers) !== null,
      headers: recordedHeaders(request),
      body,
    });
  }

  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent || request.socket.destroyed) return;
      const message = error instanceof Error ? error.message : String(error);
      writeReply(response, 'unknown', errorReply('unknown', { status: 500, code: 'EmulatorError', message, headers: {} }), request);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the emulator did not get a TCP port');
  origin = `https://127.0.0.1:${address.port}`;
  const token = requiredToken ?? ANY_TOKEN_PLACEHOLDER;

  return {
    url: origin,
    host: '127.0.0.1',
    port: address.port,
    caCertificatePath,
    token,
    requests: log.entries,
    counts: () => log.counts(),
    count: (kind) => log.count(kind),
    earlyRetries: (earlyOptions) => log.earlyRetries(earlyOptions),
    clearRequests: () => log.clear(),
    setFaults: (...rules) => faults.set(rules),
    clearFaults: () => faults.set([]),
    deviceImages: (viewOptions) =>
      (viewOptions?.includeDeleted === true ? [...tenant.deviceImages.history()] : tenant.deviceImages.list()).map((record) =>
        describeDeviceImage(record, clock.now()),
      ),
    duplicateDeviceImages: (duplicateOptions) => tenant.deviceImages.duplicateSources(duplicateOptions),
    setSubscriptionAccess: (subscriptionId, access) => tenant.catalogue.setAccess(subscriptionId, access),
    setWindows365CanRead: (subscriptionId, canRead) => tenant.catalogue.setWindows365CanRead(subscriptionId, canRead),
    putManagedImage: (subscriptionId, resourceGroup, image) =>
      tenant.catalogue.put(subscriptionId, resourceGroup, parseManagedImage(image)).resourceId,
    removeManagedImage: (resourceId) => tenant.catalogue.remove(resourceId),
    rebuildManagedImage: (resourceId, changes) => {
      tenant.catalogue.rebuild(resourceId, changes);
    },
    provisioningPolicies: () => tenant.provisioningPolicies.list().map(describeProvisioningPolicy),
    putProvisioningPolicy: (input) => {
      catchUpCloudPcs();
      return tenant.provisioningPolicies.put(parseProvisioningPolicy(input)).id;
    },
    putDeviceImage: (input) => tenant.deviceImages.upload(parseDeviceImageSeed(input)).id,
    deleteDeviceImage: (deviceImageId) => {
      if (tenant.deviceImages.get(deviceImageId) === undefined) return false;
      tenant.deviceImages.delete(deviceImageId);
      return true;
    },
    removeProvisioningPolicy: (policyId) => tenant.provisioningPolicies.remove(policyId),
    ...cloudPcControls,
    ...createGalleryControls(tenant),
    beforeNext: (kind, edit) => timed.add(kind, 'before', edit),
    afterNext: (kind, edit) => timed.add(kind, 'after', edit),
    settings: () => ({
      GRAPH_ENDPOINT: origin,
      ARM_ENDPOINT: origin,
      IMAGE_SYNC_STATIC_TOKEN: token,
      IMAGE_SYNC_SUBSCRIPTION_IDS: tenant.catalogue
        .allSubscriptions()
        .map((subscription) => subscription.id)
        .join(','),
      NODE_EXTRA_CA_CERTS: caCertificatePath,
    }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      timed.clear();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      if (files !== null) await rm(files.directory, { recursive: true, force: true });
    },
  };
}

function faultMessage(fault: FaultName, status: number): string {
  if (status === 429) return 'Too many requests. Retry after the time in the Retry-After header.';
  if (fault === 'ambiguous-create') return 'An internal server error occurred.';
  if (fault === 'refuse')
    return status === 403 ? 'The caller does not have the permission this request needs.' : 'The request was refused.';
  return 'The service is temporarily unavailable. Please retry later.';
}

function isSuccessWithBody(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300 && reply.body !== undefined;
}

function recordedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] =
      name === 'authorization' ? value.toString().replace(/^(\S+)\s.*$/, '$1 <redacted>') : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
