// Entry point: `npm start` (or `npm run dev` with dev.env). README.md explains the settings.
import { ConfigError, loadConfig } from "./config.js";
import { handleNotification } from "./handle-notification.js";
import { log } from "./log.js";
import { startServer } from "./server.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config, handleNotification);
  const mode = config.tls ? "mTLS" : "behind a proxy";
  log(`listening on ${server.url}`, { auth: config.auth.scheme, mode });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log("shutting down", { signal });
      server.close().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  // ConfigError: a setting is wrong; TypeError: the kit refused an option (e.g. a bearer token
  // with characters Netdata cannot send). Both name the setting and need no stack trace.
  const expected = error instanceof ConfigError || error instanceof TypeError;
  const message =
    error instanceof Error
      ? expected
        ? error.message
        : (error.stack ?? error.message)
      : String(error);
  process.stderr.write(`${expected ? "configuration error" : "failed to start"}: ${message}\n`);
  process.exit(expected ? 2 : 1);
});
