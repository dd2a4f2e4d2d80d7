// The hostile-input suite: every receiver the kit ships (receivers.ts) against the same data
// (the JSON files beside this one and test/fixtures/invalid-bodies.json). Real processes, real
// TLS, real nginx and Apache. What each data file holds is said in its "about" field.
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PkiName } from "../../../src/pki/pki-names.js";
import { makeTestPki } from "../../helpers/pki.js";
import { rawRequest } from "../../helpers/receiver.js";
import { IN_CI } from "../template-harness.js";
import {
  HOSTILE_RECEIVERS,
  type HostileContext,
  type HostileReceiver,
  type HostileSubject,
  missingRequirements,
  removeScaffoldedProjects,
} from "./receivers.js";
import { type Exchange, tlsExchange } from "./tls-exchange.js";

const read = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(name, import.meta.url), "utf8")) as T;

type Header = [string, string];
interface RaceData {
  requestsPerIdentity: number;
  identities: Array<{ client: PkiName | null; label: string }>;
}
interface BodyCase {
  name: string;
  json?: unknown;
  text?: string;
  hex?: string;
  status?: number[];
  mustNotEcho?: string;
}
interface HeaderCase {
  name: string;
  headers: Header[];
  status?: number[];
}
interface LogCase {
  name: string;
  json: unknown;
  forged: string;
}
interface KnownFailure {
  receivers: string[];
  cases: string[];
  reason: string;
}

const RACE = read<RaceData>("./tls-race.json");
const BODIES = read<{ cases: BodyCase[] }>("./bodies.json").cases;
const CORPUS = read<Array<{ name: string; body: unknown }>>("../../fixtures/invalid-bodies.json");
const HEADERS = read<{ cases: HeaderCase[] }>("./headers.json").cases;
const LOG_FORGERY = read<{ cases: LogCase[] }>("./log-forgery.json").cases;
const PENDING = read<{ cases: Array<{ name: string; owner: string }> }>("./pending.json").cases;
const KNOWN_FAILURES = read<{ failures: KnownFailure[] }>("./known-failures.json").failures;

const BEARER_TOKEN = "hostile-bearer-token";
/** How long the handler side may take to show a notification that was answered 2xx. */
const EVIDENCE_WAIT_MS = 10_000;
const JSON_TYPE: Header = ["Content-Type", "application/json"];
const BEARER: Header = ["Authorization", `Bearer ${BEARER_TOKEN}`];

/** it, or it.fails for a case known-failures.json lists for this receiver (with its reason). */
function caseIt(receiver: HostileReceiver, caseName: string) {
  caseNames.add(caseName);
  const known = KNOWN_FAILURES.some(
    (f) => f.receivers.includes(receiver.name) && f.cases.includes(caseName),
  );
  return known ? it.fails : it;
}
/** Every case name the runner defined, to check known-failures.json against. */
const caseNames = new Set<string>();

/** Replaces {{canary}}, {{bearer}} and {{length}} in every string of a value. */
function fill<T>(value: T, values: Record<string, string>): T {
  const text = JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (whole, key: string) =>
    key in values ? JSON.stringify(values[key]).slice(1, -1) : whole,
  );
  return JSON.parse(text) as T;
}

function bodyBytes(c: BodyCase): Buffer {
  if (c.hex !== undefined) return Buffer.from(c.hex, "hex");
  if (c.text !== undefined) return Buffer.from(c.text, "utf8");
  return Buffer.from(JSON.stringify(c.json), "utf8");
}

const testNotification = (token: string) =>
  JSON.stringify({ message: `hostile ${token}`, title: "Test Notification", token });

/**
 * What no log line may hold raw (a tab aside): controls, bidi and invisible format characters,
 * separators, tag characters, Hangul fillers.
 */
const TERMINAL_UNSAFE = /[\p{Cc}\p{Cf}\u115f\u1160\u3164\uffa0\u2028\u2029\u{e0000}-\u{e007f}]/u;
/** The log lines of some evidence: the store's rows, which hold the text as sent, are one JSON array line. */
const logLinesWith = (evidence: string, needle: string) =>
  linesWith(evidence, needle).filter((line) => !line.startsWith("["));

const canary = (what: string) => `canary-${what}-${randomUUID()}`;

function describeExchange(exchange: Exchange): string {
  return exchange.status === null
    ? "no answer"
    : `${exchange.status} ${exchange.body.slice(0, 300)}`;
}

/** The lines of `text` that contain `needle`, for failure messages. */
const linesWith = (text: string, needle: string) =>
  text.split(/\r?\n/).filter((line) => line.includes(needle));

let pkiDir: string;
beforeAll(async () => {
  pkiDir = await makeTestPki();
});
afterAll(async () => {
  await removeScaffoldedProjects();
  if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
});

describe("the hostile-input data", () => {
  it("lists known failures only for listed receivers and existing cases, each with a reason", () => {
    const receivers = new Set(HOSTILE_RECEIVERS.map((r) => r.name));
    for (const failure of KNOWN_FAILURES) {
      expect(failure.reason.length, JSON.stringify(failure)).toBeGreaterThan(40);
      for (const name of failure.receivers) expect(receivers, name).toContain(name);
      for (const name of failure.cases) expect(caseNames, name).toContain(name);
    }
  });
});

for (const receiver of HOSTILE_RECEIVERS) {
  const missing = missingRequirements(receiver.requires);
  // Outside CI a machine without them skips, saying why; under CI=true they fail.
  const skip = missing.length > 0 && !IN_CI;
  const label = skip ? ` (skipped: apt-get install ${missing.join(" ")}; .ci/run does it)` : "";

  describe.skipIf(skip)(`hostile input against ${receiver.name}${label}`, () => {
    let subject: HostileSubject;

    beforeAll(async () => {
      if (missing.length > 0) {
        throw new Error(`${missing.join(", ")} missing and CI=true: .ci/run installs them`);
      }
      const context: HostileContext = { pkiDir, bearerToken: BEARER_TOKEN };
      subject = await receiver.start(context);
    }, receiver.startTimeoutMs);
    afterAll(async () => {
      await subject?.stop();
    });

    const send = (request: Buffer, client: PkiName | null = "client", tls13Only = false) =>
      tlsExchange({ port: subject.port, pkiDir, client, request, tls13Only });
    const post = (body: Buffer | string, headers: Header[] = [JSON_TYPE, BEARER]) =>
      send(rawRequest({ body, headers }));

    /**
     * Sends a fresh test notification as Netdata would and waits until its token shows on the
     * handler side: everything sent before it has been handled (or never will be).
     */
    async function settled(): Promise<string> {
      const token = canary("sentinel");
      const answer = await post(testNotification(token));
      expect(answer.status, `the sentinel notification: ${describeExchange(answer)}`).toBe(200);
      const deadline = Date.now() + EVIDENCE_WAIT_MS;
      for (;;) {
        const evidence = await subject.evidence();
        if (evidence.includes(token)) return evidence;
        if (Date.now() > deadline) throw new Error(`the sentinel ${token} never showed`);
        await sleep(50);
      }
    }

    describe("a valid request written right behind a refused certificate, over TLS 1.3", () => {
      for (const identity of RACE.identities) {
        caseIt(receiver, `tls-race: ${identity.label}`)(
          `never reaches the handler with ${identity.label}`,
          async () => {
            const token = canary("race");
            const answers: Exchange[] = [];
            for (let i = 0; i < RACE.requestsPerIdentity; i++) {
              // A token per request, so that no copy is taken for a redelivery of another.
              const request = rawRequest({
                body: testNotification(`${token}-${i}`),
                headers: [JSON_TYPE, BEARER],
              });
              answers.push(await send(request, identity.client, true));
            }
            const evidence = await settled();
            expect(linesWith(evidence, token), "the handler saw the refused request").toEqual([]);
            for (const answer of answers) {
              const accepted = answer.status !== null && answer.status < 300;
              expect(accepted, `a refused client was answered ${describeExchange(answer)}`).toBe(
                false,
              );
            }
          },
        );
      }
    });

    const expectRefusal = (answer: Exchange, status: number[] | undefined) => {
      if (status) expect(status, describeExchange(answer)).toContain(answer.status);
      expect(answer.status ?? 0, describeExchange(answer)).toBeGreaterThanOrEqual(400);
      expect(answer.status ?? 0, describeExchange(answer)).toBeLessThan(500);
    };

    describe("bodies that must get a 4xx, never a 5xx", () => {
      for (const c of BODIES) {
        caseIt(receiver, `body: ${c.name}`)(`refuses ${c.name}`, async () => {
          const answer = await post(bodyBytes(c));
          expectRefusal(answer, c.status);
          if (c.mustNotEcho) expect(answer.raw).not.toContain(c.mustNotEcho);
        });
      }
    });

    describe("the bad-input corpus (test/fixtures/invalid-bodies.json)", () => {
      for (const c of CORPUS) {
        caseIt(receiver, `corpus: ${c.name}`)(`refuses ${c.name} with a 4xx`, async () => {
          expectRefusal(await post(JSON.stringify(c.body)), undefined);
        });
      }
    });

    describe("duplicated and conflicting headers", () => {
      for (const c of HEADERS) {
        caseIt(receiver, `header: ${c.name}`)(
          `refuses ${c.name}, and the handler never sees it`,
          async () => {
            const token = canary("header");
            const body = testNotification(token);
            const headers = fill(c.headers, {
              bearer: BEARER_TOKEN,
              length: String(Buffer.byteLength(body)),
            });
            expectRefusal(await post(body, headers), c.status);
            const evidence = await settled();
            expect(linesWith(evidence, token), "the handler saw the request").toEqual([]);
          },
        );
      }
    });

    describe("notification text that imitates the receiver's own log lines", () => {
      for (const c of LOG_FORGERY) {
        caseIt(receiver, `log: ${c.name}`)(
          `accepts ${c.name} and logs no forged line`,
          async () => {
            const id = canary("forged");
            const { json, forged } = fill(c, { canary: id });
            const answer = await post(JSON.stringify(json));
            expect(answer.status, describeExchange(answer)).toBe(200);
            const evidence = await settled();
            const forgedLines = evidence.split(/[\r\n]/).filter((line) => line.startsWith(forged));
            expect(forgedLines, "a log line that starts with the forged text").toEqual([]);
            expect(linesWith(evidence, "\u001b"), "a raw ESC in the log").toEqual([]);
            const raw = logLinesWith(evidence, id).filter((line) =>
              TERMINAL_UNSAFE.test(line.replace(/\t/g, "")),
            );
            expect(raw, "a raw bidi, invisible or separator character next to the canary").toEqual(
              [],
            );
          },
        );
      }
    });

    if (PENDING.length > 0) {
      describe("not written yet (pending.json)", () => {
        for (const c of PENDING) it.todo(`${c.name}: ${c.owner}`);
      });
    }
  });
}
