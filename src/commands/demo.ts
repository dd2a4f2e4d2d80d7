import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-facts.js";
import { generateDevPki } from "../pki/generate-dev-pki.js";
import { pkiPaths } from "../pki/pki-names.js";
import { silentLogger } from "../receiver/log.js";
import { startReceiver } from "../receiver/server.js";
import { colourWanted, createStyle } from "../simulator/style.js";
import { defineCommand } from "./_command.js";
import { wholeNumber } from "./_target-options.js";
import { runVerify } from "./verify.js";

/** 256 bits, base64url: valid token68 for a bearer token, and a strong HMAC key. */
const SECRET_BYTES = 32;

const NEXT_STEPS = [
  [
    "Run the receiver for real (dev PKI in certs/dev, a bearer token in token.txt):",
    "openssl rand -hex 32 > token.txt && npx netdata-webhook-kit serve --dev --auth bearer --bearer-token-file token.txt",
  ],
  [
    "Verify your own receiver, in any language:",
    "npx netdata-webhook-kit verify https://hooks.example.com/webhooks/netdata --pki certs/dev --bearer-token-file token.txt",
  ],
  [
    "Put nginx or Apache in front, checking Netdata's client certificate:",
    "npx netdata-webhook-kit proxy nginx --server-name hooks.example.com --tls-cert fullchain.pem --tls-key privkey.pem",
  ],
] as const;

export const demoCommand = defineCommand({
  name: "demo",
  summary:
    "Start a receiver with a throw-away test PKI and verify it end to end (what npm start runs).",
  usage: ["demo [--seed N]"],
  examples: [
    ["npm start", "the same as netdata-webhook-kit demo"],
    ["netdata-webhook-kit demo --seed 42", "replay the payloads of an earlier run"],
  ],
  options: { seed: { type: "string", description: "seed of the payload generator" } },
  notes: `Writes a development PKI to a temporary folder, starts the reference receiver in direct
mTLS mode on a free loopback port (bearer auth, a challenge secret), runs 'verify --profile all'
with the whole catalogue, prints the report, removes the folder and exits with verify's code.
Exit codes: those of verify (0 passed, 1 a required check failed, 3 unreachable), 2 usage error.`,
  run: async (ctx) => {
    // Every option is checked before the PKI is generated and the receiver started.
    const given = wholeNumber("--seed", ctx.values.seed, 0, 0xffffffff);
    const seed = given === undefined ? {} : { seed: given };
    const dir = await mkdtemp(join(tmpdir(), "ndwk-demo-"));
    try {
      const pkiDir = join(dir, "pki");
      await generateDevPki({ outDir: pkiDir });
      const paths = pkiPaths(pkiDir);
      const auth = {
        scheme: "bearer",
        token: randomBytes(SECRET_BYTES).toString("base64url"),
      } as const;
      const challengeSecret = randomBytes(SECRET_BYTES).toString("base64url");
      const dbPath = join(dir, "inbox.db");
      const receiver = await startReceiver({
        mode: "direct",
        host: "127.0.0.1",
        port: 0,
        tls: { cert: paths.server.cert, key: paths.server.key, ca: paths.ca.cert },
        auth,
        challengeSecret,
        db: dbPath,
        logger: silentLogger,
      });
      ctx.stdout(`Development PKI written to ${pkiDir} (removed at the end).\n`);
      ctx.stdout(
        `Reference receiver on ${receiver.url}: direct mTLS, bearer auth, challenge secret.\n\n`,
      );
      try {
        const options = {
          url: receiver.url,
          profile: "all",
          pkiDir,
          serverCa: paths.ca.cert,
          auth,
          challengeSecret,
          // What the receiver stored, so a refused request that was handled anyway shows up.
          observeCommand: inboxCommandLine(dbPath),
          ...seed,
        } as const;
        const report = await runVerify(options, ctx);
        ctx.stdout(nextSteps(colourWanted(ctx.isTTY, ctx.env)));
        return report.exitCode;
      } finally {
        await receiver.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});

/** This kit's own `inbox --json` on the demo's database, as a shell command line. */
function inboxCommandLine(dbPath: string): string {
  // The built bin, also when this module runs from source (tests): npm test builds first.
  const cli = join(PACKAGE_ROOT, "dist", "cli.js");
  const words = [process.execPath, cli, "inbox", "--json", "--limit", "10000", "--db", dbPath];
  return words.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
}

function nextSteps(colour: boolean): string {
  const style = createStyle(colour);
  const lines = NEXT_STEPS.map(
    ([what, command], i) => `  ${i + 1}. ${what}\n     ${style.bold(`$ ${command}`)}`,
  );
  return `\nNext, try:\n${lines.join("\n")}\n`;
}
