// Real PostgreSQL for tests: a private server (initdb + pg_ctl) in a temporary folder, on a
// loopback port, run as an unprivileged user (initdb refuses root). One server is shared by
// the whole run and started by the first test file that asks for it; each file gets its own
// database in it. A test that stops the server (an outage) starts a private one instead.
// Debian's `postgresql` package puts the programs in /usr/lib/postgresql/VERSION/bin.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, chownSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import pg from "pg";

/** Where Debian installs each PostgreSQL version's server programs. */
const DEBIAN_POSTGRESQL_DIR = "/usr/lib/postgresql";
/** The folder the global set-up makes for every server of the run (see global-setup.ts). */
export const POSTGRES_ROOT_ENV = "NDWK_TEST_PG_ROOT";
/** The superuser of every test server; its password is random per server. */
const SUPERUSER = "ndwk";
/** initdb plus the first start, on a busy two-core machine. */
const START_TIMEOUT_SECONDS = 60;
/** How long a test file waits for another one to start the shared server. */
const SHARED_WAIT_MS = 90_000;
const SHARED_POLL_MS = 50;

export interface PostgresBinaries {
  /** The folder with initdb and pg_ctl, or null when PostgreSQL is not installed. */
  binDir: string | null;
  /** Skip the tests that need it: missing, and not under CI=true (where missing fails). */
  skip: boolean;
  /** Shown in the test title: what runs, or why it is skipped. */
  label: string;
}

/** The newest PostgreSQL in /usr/lib/postgresql/VERSION/bin with both initdb and pg_ctl. */
export function findPostgres(): PostgresBinaries {
  const versions = existsSync(DEBIAN_POSTGRESQL_DIR)
    ? readdirSync(DEBIAN_POSTGRESQL_DIR)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const binDir =
    versions
      .map((v) => join(DEBIAN_POSTGRESQL_DIR, v, "bin"))
      .find((dir) => isExecutable(join(dir, "initdb")) && isExecutable(join(dir, "pg_ctl"))) ??
    null;
  const ci = process.env.CI === "true";
  if (binDir !== null) return { binDir, skip: false, label: `real PostgreSQL from ${binDir}` };
  if (ci) {
    return {
      binDir,
      skip: false,
      label:
        "PostgreSQL is missing and CI=true: these tests fail until .ci/run installs postgresql",
    };
  }
  return {
    binDir,
    skip: true,
    label: `skipped: PostgreSQL is not installed (no initdb in ${DEBIAN_POSTGRESQL_DIR}/*/bin; apt-get install postgresql, as .ci/run does)`,
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface PostgresServer {
  port: number;
  /** The server's folder: data/, the log, the socket. */
  dir: string;
  /** A URL with the superuser's password, for `database`. */
  url(database: string): string;
  /** pg_ctl stop -m fast: connections are cut, as when a database server goes down. */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server (immediately) and removes its folder. */
  remove(): Promise<void>;
}

interface ServerFacts {
  dir: string;
  port: number;
  password: string;
}

/** A private server for one test file (one that stops and restarts it). */
export async function startPostgres(): Promise<PostgresServer> {
  const binDir = requireBinDir();
  const dir = await mkdtemp(join(postgresRoot(), "server-"));
  const facts = await initServer(binDir, dir);
  const server = serverHandle(binDir, facts);
  await server.start();
  return server;
}

/**
 * The run's shared server, started by the first test file that asks (a lock folder says who),
 * and stopped by the global set-up's teardown.
 */
export async function sharedPostgres(): Promise<PostgresServer> {
  const binDir = requireBinDir();
  const root = postgresRoot();
  const factsFile = join(root, "shared.json");
  const errorFile = join(root, "shared.error");
  try {
    await mkdir(join(root, "shared.lock"));
  } catch {
    return serverHandle(binDir, await waitForShared(factsFile, errorFile));
  }
  try {
    const dir = join(root, "shared");
    await mkdir(dir);
    const facts = await initServer(binDir, dir);
    await serverHandle(binDir, facts).start();
    await writeFile(`${factsFile}.tmp`, JSON.stringify(facts));
    await rename(`${factsFile}.tmp`, factsFile);
    return serverHandle(binDir, facts);
  } catch (error) {
    await writeFile(errorFile, (error as Error).message);
    throw error;
  }
}

async function waitForShared(factsFile: string, errorFile: string): Promise<ServerFacts> {
  const deadline = Date.now() + SHARED_WAIT_MS;
  while (Date.now() < deadline) {
    if (existsSync(errorFile)) {
      throw new Error(`the shared PostgreSQL did not start: ${await readFile(errorFile, "utf8")}`);
    }
    if (existsSync(factsFile)) return JSON.parse(await readFile(factsFile, "utf8")) as ServerFacts;
    await new Promise((resolve) => setTimeout(resolve, SHARED_POLL_MS));
  }
  throw new Error(`the shared PostgreSQL did not start within ${SHARED_WAIT_MS} ms`);
}

/** A new, empty database on `server` for one test file; returns its URL. */
export async function createDatabase(server: PostgresServer, prefix = "ndwk"): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: server.url("postgres") });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return server.url(name);
}

/**
 * Stops every server left under `root` (a test file that failed before its clean-up) and
 * removes the folder: the global set-up's teardown.
 */
export async function stopAllPostgres(root: string): Promise<void> {
  const binDir = findPostgres().binDir;
  if (binDir !== null && existsSync(root)) {
    for (const name of readdirSync(root)) {
      const data = join(root, name, "data");
      if (existsSync(join(data, "postmaster.pid"))) {
        await run(binDir, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      }
    }
  }
  await rm(root, { recursive: true, force: true });
}

function requireBinDir(): string {
  const found = findPostgres();
  if (found.binDir === null) throw new Error(found.label);
  return found.binDir;
}

/** The run's folder for servers, made by the global set-up (which also stops them). */
function postgresRoot(): string {
  const root = process.env[POSTGRES_ROOT_ENV];
  if (root === undefined) {
    throw new Error(
      `${POSTGRES_ROOT_ENV} is not set: run the tests with vitest, whose global set-up (test/helpers/global-setup.ts) makes the folder and stops the servers`,
    );
  }
  return root;
}

async function initServer(binDir: string, dir: string): Promise<ServerFacts> {
  const password = randomBytes(12).toString("hex");
  await writeFile(join(dir, "password"), `${password}\n`, { mode: 0o600 });
  handToServerUser(dir);
  handToServerUser(join(dir, "password"));
  await run(binDir, "initdb", [
    ...["-D", join(dir, "data"), "-U", SUPERUSER, `--pwfile=${join(dir, "password")}`],
    // Password (SCRAM) over TCP, as in production; the socket is the test user's own.
    ...["--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C"],
  ]);
  return { dir, port: await freePort(), password };
}

function serverHandle(binDir: string, facts: ServerFacts): PostgresServer {
  const data = join(facts.dir, "data");
  const settings = [
    `-p ${facts.port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${facts.dir}`,
  ].join(" ");
  return {
    port: facts.port,
    dir: facts.dir,
    url: (database) =>
      `postgres://${SUPERUSER}:${facts.password}@127.0.0.1:${facts.port}/${database}`,
    start: async () => {
      await run(binDir, "pg_ctl", [
        ...["-D", data, "-l", join(facts.dir, "server.log"), "-o", settings],
        ...["-w", "-t", String(START_TIMEOUT_SECONDS), "start"],
      ]);
    },
    stop: async () => {
      await run(binDir, "pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    },
    remove: async () => {
      if (existsSync(join(data, "postmaster.pid"))) {
        await run(binDir, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      }
      await rm(facts.dir, { recursive: true, force: true });
    },
  };
}

/** Root cannot run initdb or postgres: they run as the `postgres` user, which owns the folder. */
const runAsRoot = process.getuid?.() === 0;

function serverUser(): { name: string; uid: number; gid: number } {
  for (const name of ["postgres", "nobody"]) {
    const line = readPasswd().find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(":") ?? [];
    if (uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error("running as root, and there is no postgres or nobody user to run PostgreSQL as");
}

function readPasswd(): string[] {
  try {
    return readFileSync("/etc/passwd", "utf8").split("\n");
  } catch {
    return [];
  }
}

function handToServerUser(path: string): void {
  if (!runAsRoot) return;
  const { uid, gid } = serverUser();
  chownSync(path, uid, gid);
}

function run(binDir: string, program: string, args: string[]): Promise<string> {
  const file = join(binDir, program);
  const [command, argv] = runAsRoot
    ? ["runuser", ["-u", serverUser().name, "--", file, ...args]]
    : [file, args];
  return new Promise((resolve, reject) => {
    // "/" as working directory: the server user may not enter the caller's.
    execFile(command, argv, { cwd: "/" }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${program} ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
