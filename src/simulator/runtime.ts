import { authorizationHeaderFor } from "../protocol/auth.js";
import { type Canary, newCanaryValue, newWitnessValue, withCanary, withWitness } from "./canary.js";
import type { CheckContext, CheckRequest, DeliveryOverrides } from "./check.js";
import { toExchange } from "./exchange.js";
import { type Outcome, type RequestSpec, sendRequest } from "./http-client.js";
import {
  createPayloadFactory,
  type Payload,
  type PayloadFactory,
} from "./payloads/payload-factory.js";
import { PROXY_VERDICT_NONE } from "./proxy-identity.js";
import { createRandom } from "./random.js";
import type { ResolvedVerifyOptions } from "./resolve-options.js";
import type { Exchange } from "./types.js";

/** Netdata's own User-Agent is not documented; say plainly who is calling. */
export const USER_AGENT = "netdata-webhook-kit-verify";

export interface CheckRuntime {
  /** The first request of a run: decides reachability, gives the TLS facts. Memoised. */
  probe(): Promise<Outcome>;
  /** A context for the check `checkId`, whose requests are recorded in `exchanges`. */
  contextFor(exchanges: Exchange[], checkId?: string): CheckContext;
  /** Every canary sent so far. */
  readonly canaries: readonly Canary[];
  /** What the baseline's notification carries (see witnessPayload). */
  readonly witness: string;
}

/** The state one verify run shares between its checks: payload source, probe, deliveries. */
export function createRuntime(options: ResolvedVerifyOptions): CheckRuntime {
  const shared = createShared(options);
  return {
    probe: async () => (await shared.probeOnce()).outcome,
    contextFor: (exchanges, checkId = "baseline") =>
      createContext(options, shared, exchanges, checkId),
    canaries: shared.canaries,
    witness: shared.witness,
  };
}

interface Shared {
  payloads: PayloadFactory;
  deliveries: Array<{ label: string; outcome: Outcome }>;
  canaries: Canary[];
  witness: string;
  probeOnce: () => Promise<{ outcome: Outcome; exchange: Exchange }>;
  connectBlocker: () => Promise<string | null>;
  deliveryBlocker: () => Promise<string | null>;
}

/**
 * The request as it goes on the wire: the `--header` extras (a header the check sets itself
 * wins), and with `--proxy-headers` the identity played as the proxy's headers.
 */
export function onTheWire(options: ResolvedVerifyOptions, spec: RequestSpec): RequestSpec {
  const own = spec.headers ?? {};
  const taken = new Set(Object.keys(own).map((name) => name.toLowerCase()));
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of options.headers) {
    if (taken.has(name.toLowerCase())) continue;
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [existing, value].flat();
  }
  if (options.proxyHeaders) {
    const proxy = spec.identity?.proxy ?? { verify: PROXY_VERDICT_NONE, dn: null };
    headers[options.proxyVerifyHeader] = proxy.verify;
    if (proxy.dn !== null) headers[options.proxyDnHeader] = proxy.dn;
  }
  return { ...spec, headers: { ...headers, ...own } };
}

/** Sends a request of the run, with the extras every request carries. */
export function sendOnTheWire(options: ResolvedVerifyOptions, spec: RequestSpec): Promise<Outcome> {
  return sendRequest(options.connection, onTheWire(options, spec));
}

function createShared(options: ResolvedVerifyOptions): Shared {
  const probeSpec: RequestSpec = onTheWire(options, {
    method: "GET",
    identity: options.netdata,
    timeoutMs: options.timeoutMs,
  });
  let probed: ReturnType<Shared["probeOnce"]> | undefined;
  const probeOnce = () => {
    probed ??= sendRequest(options.connection, probeSpec).then((outcome) => ({
      outcome,
      exchange: toExchange("probe", options.url, probeSpec, outcome),
    }));
    return probed;
  };
  const connectBlocker = async (): Promise<string | null> => {
    const { outcome } = await probeOnce();
    if (outcome.kind !== "server-certificate-rejected") return null;
    return `the server certificate is not trusted (${outcome.code}): pass --server-ca FILE for a private CA, or --insecure`;
  };
  const deliveryBlocker = async (): Promise<string | null> => {
    const blocked = await connectBlocker();
    if (blocked || options.netdata || options.url.protocol !== "https:") return blocked;
    const { outcome } = await probeOnce();
    return outcome.kind === "refused"
      ? "the receiver requires a client certificate and none was given: pass --pki DIR or --client-cert/--client-key"
      : null;
  };
  const payloads = createPayloadFactory(createRandom(options.seed));
  return {
    payloads,
    deliveries: [],
    canaries: [],
    witness: newWitnessValue(),
    probeOnce,
    connectBlocker,
    deliveryBlocker,
  };
}

/** A check's view of the run; its requests are recorded in `exchanges`. */
function createContext(
  options: ResolvedVerifyOptions,
  shared: Shared,
  exchanges: Exchange[],
  checkId: string,
): CheckContext {
  const send = async (label: string, request: CheckRequest): Promise<Outcome> => {
    const spec = onTheWire(options, {
      ...request,
      timeoutMs: request.timeoutMs ?? options.timeoutMs,
    });
    const outcome = await sendRequest(options.connection, spec);
    exchanges.push(toExchange(label, options.url, spec, outcome));
    return outcome;
  };
  const deliver = async (payload: Payload, overrides: DeliveryOverrides = {}) => {
    const outcome = await send(
      overrides.label ?? payload.label,
      deliveryRequest(options, payload, overrides),
    );
    // Only deliveries made exactly as Netdata makes them count for delivery.latency.
    if (Object.keys(overrides).length === 0)
      shared.deliveries.push({ label: payload.label, outcome });
    return outcome;
  };
  return {
    options,
    payloads: shared.payloads,
    send,
    deliver,
    probePayload: () => shared.payloads.alert(options.formats[0] ?? "flat", "warning"),
    canaryPayload: (label) => {
      const value = newCanaryValue();
      shared.canaries.push({ value, checkId, label });
      return withCanary(shared.payloads.alert(options.formats[0] ?? "flat", "warning"), value);
    },
    witnessPayload: () =>
      withWitness(shared.payloads.alert(options.formats[0] ?? "flat", "warning"), shared.witness),
    connectBlocker: shared.connectBlocker,
    deliveryBlocker: shared.deliveryBlocker,
    probe: async () => {
      const { outcome, exchange } = await shared.probeOnce();
      exchanges.push(exchange);
      return outcome;
    },
    deliveries: shared.deliveries,
  };
}

/** A POST as Netdata sends it, with the overrides applied; an empty array removes a header. */
export function deliveryRequest(
  options: ResolvedVerifyOptions,
  payload: Pick<Payload, "body">,
  overrides: DeliveryOverrides = {},
): CheckRequest {
  const authorization = authorizationHeaderFor(options.auth);
  const merged: Record<string, string | string[]> = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    ...(authorization ? { authorization } : {}),
    ...overrides.headers,
  };
  const headers = Object.fromEntries(
    Object.entries(merged).filter(([, v]) => !(Array.isArray(v) && v.length === 0)),
  );
  return {
    method: overrides.method ?? "POST",
    headers,
    body: overrides.body ?? payload.body,
    identity: overrides.identity !== undefined ? overrides.identity : options.netdata,
    ...(overrides.timeoutMs !== undefined ? { timeoutMs: overrides.timeoutMs } : {}),
  };
}
