/** One JSON object per line on stdout, like the kit's own log lines. Never log secrets. */
export function log(msg: string, fields: Record<string, unknown> = {}, level = "info"): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`,
  );
}
