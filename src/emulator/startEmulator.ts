// The emulator: an HTTPS server on loopback playing ARM (managed images) and Graph (Cloud PC device
// images) for one estate, with fault knobs and a log of every request.
export type { Emulator, EmulatorOptions, EmulatorSettings } from './emulatorApi';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../domain';
import { answerRequest, bearerTokenOf } from './answerRequest';
import { makeCertificate, writeCertificate } from './certificate';
import { createCloudPcControls } from './cloudPcControls';
import { createGalleryControls } from './galleryControls';
import { describeDeviceImage } from './deviceImageRecord';
import { FaultInjector, faultMessage, type FaultAction, type FaultName } from './faultInjector';
import { readBody, resetConnection, writeReply } from './httpExchange';
import { parseDeviceImageSeed, parseEstate, parseManagedImage, parseProvisioningPolicy } from './parseEstate';
import { describeProvisioningPolicy } from './provisioningPolicyStore';
import { seededRandom } from './randomSource';
import { errorReply, malformedReply, type Reply } from './replies';
import { recordedHeaders, RequestLog } from './requestLog';
import { graphVersionOf, serviceOf } from './routeMatch';
import { routeRequest } from './routes';
import type { Emulator, EmulatorOptions } from './emulatorApi';
import { createTenant } from './tenant';
import { TimedChanges } from './timedChanges';

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

function isSuccessWithBody(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300 && reply.body !== undefined;
}
