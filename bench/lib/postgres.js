// @ts-check
// A private PostgreSQL for row 10: initdb + pg_ctl in a temporary folder, on a loopback port,
// as the `postgres` user when the bench runs as root (initdb refuses root). The same recipe as
// the tests' server (test/helpers/postgres.ts), with the server's default durability (fsync
// on, synchronous_commit on): a commit is on disk before the receiver answers, as with SQLite's
// synchronous=FULL.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DEBIAN_POSTGRESQL_DIR = "/usr/lib/postgresql";

/** The newest /usr/lib/postgresql/VERSION/bin with initdb, or null. */
export function findPostgresBin() {
  if (!existsSync(DEBIAN_POSTGRESQL_DIR)) return null;
  const versions = readdirSync(DEBIAN_POSTGRESQL_DIR)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  const found = versions.map((v) => join(DEBIAN_POSTGRESQL_DIR, v, "bin"));
  return found.find((dir) => existsSync(join(dir, "initdb"))) ?? null;
}

/**
 * @param {string} binDir
 * @returns {Promise<{ url: string, stop: () => void }>}
 */
export async function startPostgres(binDir) {
  const dir = mkdtempSync(join(tmpdir(), "ndwk-bench-pg-"));
  const password = randomBytes(12).toString("hex");
  writeFileSync(join(dir, "password"), `${password}\n`, { mode: 0o600 });
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? serverUser() : null;
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(join(dir, "password"), user.uid, user.gid);
  }
  const run = (/** @type {string} */ program, /** @type {string[]} */ args) => {
    const file = join(binDir, program);
    const [command, argv] = user
      ? ["runuser", ["-u", user.name, "--", file, ...args]]
      : [file, args];
    execFileSync(command, argv, { cwd: "/", stdio: ["ignore", "ignore", "pipe"] });
  };
  const data = join(dir, "data");
  run("initdb", [
    ...["-D", data, "-U", "ndwk", `--pwfile=${join(dir, "password")}`],
    ...["--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C"],
  ]);
  const port = await freePort();
  const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir}`;
  run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", settings, "-w", "start"]);
  return {
    url: `postgres://ndwk:${password}@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function serverUser() {
  const lines = readFileSync("/etc/passwd", "utf8").split("\n");
  for (const name of ["postgres", "nobody"]) {
    const [, , uid, gid] = lines.find((l) => l.startsWith(`${name}:`))?.split(":") ?? [];
    if (uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error("running as root, and there is no postgres or nobody user to run PostgreSQL as");
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
