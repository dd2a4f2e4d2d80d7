import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { type DevPkiEntry, generateDevPki, IncompletePkiError } from "../pki/generate-dev-pki.js";
import { DEFAULT_PKI_DIR } from "../pki/pki-names.js";
import { HostNameError, hostKey, serverHosts } from "../pki/server-alt-names.js";
import { CommandError, defineCommand, PROGRAM, UsageError } from "./_command.js";
import { refuseFile } from "./_file-problem.js";

export const certsCommand = defineCommand({
  name: "certs",
  summary: "Write a development PKI (test CA, server and client certificates).",
  usage: ["certs [--pki DIR] [--host NAME]... [--force] [--verbose]"],
  examples: [
    [`${PROGRAM} certs`, `writes ${DEFAULT_PKI_DIR}/ca.pem, server.pem, client.pem, … with keys`],
    [`${PROGRAM} certs --pki /tmp/pki`, "somewhere else"],
    [`${PROGRAM} certs --host hooks.example.test --host 192.0.2.10`, "more server names"],
    [`${PROGRAM} certs --force`, "replace an existing PKI (new CA: re-trust ca.pem)"],
  ],
  options: {
    pki: { type: "string", description: "folder to write into", default: DEFAULT_PKI_DIR },
    host: {
      type: "string",
      multiple: true,
      description:
        "another DNS name or IP address for the server certificate (localhost, 127.0.0.1 and ::1 stay)",
    },
    force: { type: "boolean", description: "regenerate even if the files exist" },
    verbose: { type: "boolean", description: "list every file written or kept" },
  },
  renamed: { out: "pki" },
  notes: `Each NAME.pem comes with NAME.key (PKCS#8, mode 0600). ca.pem imitates the Netdata Root CA
and is for tests only: never trust it anywhere else. client.pem has CN=app.netdata.cloud; the
other client-*.pem are deliberately wrong (expired, wrong CN, untrusted CA, …) for testing
that a receiver rejects them. An existing complete PKI is kept unless --force.
Exit codes: 0 written or kept, 1 failed, 2 usage error.`,
  run: async ({ values, cwd, stdout }) => {
    const outDir = resolve(cwd, values.pki ?? DEFAULT_PKI_DIR);
    refuseFile("--pki", outDir, "Give a folder to write the PKI into (created if missing).");
    const shown = (path: string) => displayPath(cwd, path);
    const hosts = checkedHosts(values.host ?? []);
    let pki: Awaited<ReturnType<typeof generateDevPki>>;
    try {
      pki = await generateDevPki({ outDir, force: values.force === true, hosts });
    } catch (error) {
      if (error instanceof IncompletePkiError) {
        throw new CommandError(
          `failed to complete the PKI in ${shown(outDir)}: ${error.missing.join(", ")} missing, ` +
            "and new certificates would not chain to the CA files that are there.\n" +
            `Run '${PROGRAM} certs --pki ${shown(outDir)} --force' to regenerate all of it.`,
        );
      }
      throw new CommandError(error instanceof Error ? error.message : String(error));
    }
    const now = new Date();
    if (values.verbose === true) {
      stdout(pki.entries.map((entry) => describe(entry, now, shown)).join(""));
    }
    const kept = pki.entries.every((entry) => !entry.written);
    const server = pki.entries.find((entry) => entry.name === "server");
    const names = server ? await altNames(server.certPath) : hosts;
    const present = new Set(names.map(hostKey));
    const lacking = hosts.filter((host) => !present.has(hostKey(host)));
    stdout(summary(pki.entries, { dir: shown(outDir), kept, names, now, shown }));
    if (lacking.length > 0) {
      throw new CommandError(
        `the kept server certificate lacks: ${lacking.join(", ")}. Run '${PROGRAM} certs --pki ${shown(outDir)} ${(values.host ?? []).map((h) => `--host ${h}`).join(" ")} --force' to regenerate the PKI with them (a new CA: re-trust ca.pem).`,
      );
    }
    const custom = outDir === resolve(cwd, DEFAULT_PKI_DIR) ? undefined : shown(outDir);
    stdout(`Next: ${nextCommand(cwd, custom)}\n`);
    return 0;
  },
});

/**
 * The command to run next in this folder: a project made by `init` runs its own receiver
 * (python-flask: `python3 app.py --env-file dev.env`; the Node templates: `npm run dev`),
 * anywhere else the kit's `serve --dev`. `customPki`: the folder, when not the default.
 */
function nextCommand(cwd: string, customPki: string | undefined): string {
  const devEnv = existsSync(join(cwd, "dev.env"));
  const project =
    devEnv && existsSync(join(cwd, "app.py"))
      ? "python3 app.py --env-file dev.env"
      : hasDevScript(cwd)
        ? "npm run dev"
        : undefined;
  if (project === undefined) {
    return `npx ${PROGRAM} serve --dev${customPki === undefined ? "" : ` --pki ${customPki}`}`;
  }
  if (customPki === undefined || !devEnv) return project;
  return `${project} (after pointing TLS_CERT, TLS_KEY and CLIENT_CA in dev.env at ${customPki})`;
}

function hasDevScript(cwd: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as {
      scripts?: Record<string, unknown>;
    };
    return typeof manifest.scripts?.dev === "string";
  } catch {
    return false;
  }
}

function checkedHosts(hosts: string[]): string[] {
  try {
    return serverHosts(hosts);
  } catch (error) {
    if (error instanceof HostNameError) throw new UsageError(`--host: ${error.message}`);
    throw error;
  }
}

interface SummaryFacts {
  dir: string;
  kept: boolean;
  names: string[];
  now: Date;
  shown: (path: string) => string;
}

/** Five lines: folder, CA, server names, client certificates, expiry. */
function summary(entries: DevPkiEntry[], facts: SummaryFacts): string {
  const find = (name: string) => entries.find((entry) => entry.name === name);
  const day = (date: Date | undefined) => date?.toISOString().slice(0, 10) ?? "?";
  const ca = find("ca");
  const leaves = entries.filter((e) => !["ca", "intermediate", "rogue-ca"].includes(e.name));
  const valid = leaves.filter((e) => e.name !== "client-expired" && e.notAfter > facts.now);
  const firstExpiry = new Date(Math.min(...valid.map((e) => e.notAfter.getTime())));
  const wrongClients = entries.filter(
    (e) => e.name.startsWith("client-") && e.name !== "client-via-intermediate",
  ).length;
  const state = facts.kept ? "kept the existing PKI (--force regenerates it)" : "wrote a new PKI";
  return [
    `PKI:      ${facts.dir}: ${state}, ${entries.length * 2} files (--verbose lists them)`,
    `CA:       ${facts.shown(ca?.certPath ?? "ca.pem")} (TEST ONLY: trust it in tests, nowhere else)`,
    `server:   ${facts.shown(find("server")?.certPath ?? "server.pem")} for ${facts.names.join(", ")}`,
    `clients:  ${facts.shown(find("client")?.certPath ?? "client.pem")} (CN=app.netdata.cloud; also via the intermediate CA), ${wrongClients} deliberately wrong client-*.pem`,
    `expiry:   certificates until ${day(firstExpiry)}, the CA until ${day(ca?.notAfter)}`,
    "",
  ].join("\n");
}

/** The DNS names and IP addresses of a certificate's subjectAltName, as openssl prints them. */
async function altNames(certPath: string): Promise<string[]> {
  const certificate = new X509Certificate(await readFile(certPath));
  return (certificate.subjectAltName ?? "")
    .split(", ")
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ""))
    .filter((entry) => entry.length > 0)
    .map(compressedIpv6);
}

/** X509Certificate prints IPv6 uncompressed (0:0:0:0:0:0:0:1); people write ::1. */
function compressedIpv6(host: string): string {
  return host.includes(":") ? new URL(`http://[${host}]`).hostname.slice(1, -1) : host;
}

function describe(entry: DevPkiEntry, now: Date, shown: (path: string) => string): string {
  const day = entry.notAfter.toISOString().slice(0, 10);
  // client-expired is expired on purpose; any other expired one is a PKI to regenerate.
  const expiry = entry.notAfter <= now ? `expired ${day}` : `expires ${day}`;
  const verb = entry.written ? "wrote" : "kept ";
  return `${verb} ${shown(entry.certPath)} (${expiry})\n${verb} ${shown(entry.keyPath)}\n`;
}

/** Paths under the working directory are shown relative to it, as the user would type them. */
function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
