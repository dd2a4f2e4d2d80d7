import type { Logger } from "./log.js";

/**
 * Resolves with the signal's name after the first SIGTERM or SIGINT has been answered by
 * `close()` (stop accepting, finish in-flight requests, close the database). A second signal
 * during shutdown gets Node's default handling, so an impatient Ctrl-C still ends the process.
 */
export function closeOnSignal(
  close: () => Promise<void>,
  logger: Logger,
  signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"],
): Promise<NodeJS.Signals> {
  return new Promise((resolve, reject) => {
    const stop = (signal: NodeJS.Signals): void => {
      for (const s of signals) process.off(s, stop);
      logger.info(`received ${signal}; shutting down`);
      close().then(() => resolve(signal), reject);
    };
    for (const s of signals) process.on(s, stop);
  });
}
