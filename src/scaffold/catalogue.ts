import { PACKAGE_ROOT } from "../package-facts.js";

/** Names of the receiver project templates, each a runnable folder under `templates/`. */
export type TemplateName = "express-ts" | "node-http" | "python-flask";

export interface TemplateInfo {
  name: TemplateName;
  /** One line for `init --list`. */
  summary: string;
  /** Commands to run after scaffolding, `dir` being the path the user gave. */
  nextSteps: (dir: string) => string[];
}

export const DEFAULT_TEMPLATE: TemplateName = "express-ts";

/**
 * What a new project's first verify watches, so that it proves the refusals too: the inbox
 * (dev.env's DB_PATH) for the templates built on the kit's store, and the log the printed run
 * step writes (through tee) for python-flask, which logs each notification it handles.
 */
const DEV_LOG = "receiver.log";
const TEE = `2>&1 | tee ${DEV_LOG}`;
const OBSERVE_INBOX = `--observe-command 'netdata-webhook-kit inbox --db dev-webhooks.db --json --limit 10000'`;

/** What `dev.env` configures, so `verify` can be run against `npm run dev` as printed. */
const VERIFY_DEV = `npx netdata-webhook-kit verify https://127.0.0.1:8443/webhooks/netdata --pki certs/dev --server-ca certs/dev/ca.pem --bearer-token dev-bearer-token --challenge-secret dev-challenge-secret ${OBSERVE_INBOX}`;

/** Every template, in the order `init --list` shows them. */
export const TEMPLATES: readonly TemplateInfo[] = [
  {
    name: "express-ts",
    summary:
      "TypeScript, Express 5 + helmet and the kit's middleware; mTLS itself or behind a proxy",
    nextSteps: (dir) => [
      `cd ${shellQuote(dir)}`,
      "npm install",
      "npm test                                        # the kit's conformance checks, in-process",
      "npx netdata-webhook-kit certs --pki certs/dev   # development certificates",
      "npm run dev                                     # https://127.0.0.1:8443/webhooks/netdata (dev.env)",
      VERIFY_DEV,
    ],
  },
  {
    name: "node-http",
    summary: "plain JavaScript on node:https with the kit's node:http listener; no framework",
    nextSteps: (dir) => [
      `cd ${shellQuote(dir)}`,
      "npm install                                     # the kit: the listener, the inbox, certs and verify",
      "npx netdata-webhook-kit certs --pki certs/dev   # development certificates",
      "npm run dev                                     # https://127.0.0.1:8443/webhooks/netdata (dev.env)",
      VERIFY_DEV,
    ],
  },
  {
    name: "python-flask",
    summary: "Python 3 + Flask, standalone, deployed behind the generated nginx config",
    nextSteps: (dir) => [
      `cd ${shellQuote(dir)}`,
      "npm install                                     # only the kit's CLI (verify, certs, proxy); app.py does not use Node",
      "python3 -c 'import flask, waitress'             # fails? python3 -m pip install -r requirements.txt (Debian's python3-flask python3-waitress serve /usr/bin/python3 only)",
      `python3 app.py --env-file dev.env ${TEE} # in a terminal of its own: http://127.0.0.1:8080/webhooks/netdata, plain HTTP for the TLS proxy`,
      `npx netdata-webhook-kit verify http://127.0.0.1:8080/webhooks/netdata --proxy-headers --bearer-token dev-bearer-token --challenge-secret dev-challenge-secret --observe-log ${DEV_LOG}`,
      "npx netdata-webhook-kit proxy nginx --help      # the TLS front end in production: README.md, Deploy",
    ],
  },
];

export const TEMPLATE_NAMES: readonly TemplateName[] = TEMPLATES.map((t) => t.name);

/** `dir` as a shell word: quoted only when it needs to be. */
function shellQuote(dir: string): string {
  return /^[\w./@%+=:,-]+$/.test(dir) ? dir : `'${dir.replaceAll("'", "'\\''")}'`;
}

export function findTemplate(name: string): TemplateInfo | undefined {
  return TEMPLATES.find((t) => t.name === name);
}

/** The kit's root folder. */
export function kitRoot(): string {
  return PACKAGE_ROOT;
}
