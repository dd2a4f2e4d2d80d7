// Entry point: `npm start` (or `npm run dev` with dev.env). README.md explains the settings.
import { createLogger, OptionError } from "netdata-webhook-kit/node";
import { ConfigError, loadConfig } from "./config.js";
import { handleNotification } from "./handle-notification.js";
import { startServer } from "./server.js";

/** The environment variable behind each option the kit may refuse. */
const VARIABLES: Record<string, string> = {
  auth: "AUTH / BEARER_TOKEN / BASIC_USER / BASIC_PASSWORD",
  challengeSecret: "CHALLENGE_SECRET",
  expectedCns: "EXPECTED_CN",
  trustedProxies: "TRUST_PROXY",
  bodyLimitBytes: "MAX_BODY_BYTES",
  path: "WEBHOOK_PATH",
};

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config, handleNotification);
  const mode = config.tls ? "mTLS" : "behind a proxy";
  createLogger().info(`listening on ${server.url}`, { auth: config.webhook.auth.scheme, mode });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => server.close().then(() => process.exit(0)));
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof OptionError) {
    const message =
      error instanceof OptionError
        ? `${VARIABLES[error.option.split(".")[0] ?? ""] ?? error.option}: ${error.problem}${error.fix ? `. ${error.fix}` : ""}`
        : error.message;
    process.stderr.write(`configuration error: ${message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
