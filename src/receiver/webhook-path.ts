/** Longest requested path written into a log line or an answer. */
const PATH_ECHO_MAX = 200;

/**
 * The path of a request-target exactly as the client sent it: the part before `?`, with no
 * normalisation (case, trailing or doubled slashes and the absolute form all stay visible).
 */
export function requestedPath(requestTarget: string): string {
  const query = requestTarget.indexOf("?");
  const path = query < 0 ? requestTarget : requestTarget.slice(0, query);
  return path.length > PATH_ECHO_MAX ? `${path.slice(0, PATH_ECHO_MAX)}...` : path;
}

/**
 * True only when the request-target's path is `webhookPath`, character for character:
 * `/WEBHOOKS/NETDATA`, `/webhooks/netdata/`, `/webhooks/netdata//` and the absolute form
 * `http://host/webhooks/netdata` are other paths. A query string is allowed (the challenge
 * uses one).
 */
export function isExactWebhookPath(requestTarget: string, webhookPath: string): boolean {
  const query = requestTarget.indexOf("?");
  return (query < 0 ? requestTarget : requestTarget.slice(0, query)) === webhookPath;
}
