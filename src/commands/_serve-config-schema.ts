import { FILTER_KIND_NAMES } from "../outbox/sink-filter.js";
import { FORWARD_FORMATS } from "../outbox/url-sink.js";
import type { OptionSpec, OptionSpecs } from "./_command.js";
import { FORWARD_PER_SINK_OPTIONS } from "./_forward-options.js";

// The JSON Schema of `serve --config`, made from serve's own option declarations: every option
// is a key with the option's description, so a flag and its key are one concept described
// once. scripts/serve-config.js writes it to schemas/serve-config.schema.json (and the doc
// made from it to docs/configuration.md); a test checks both files are current. The schema
// says the shape (keys, types, lists); the values are judged by serve's checks, as flags are.

/** The shipped file name, in the package's `schemas/` folder. */
export const SERVE_CONFIG_SCHEMA_FILE = "serve-config.schema.json";

/** Options that steer the file itself: not keys of it. */
const NOT_KEYS: ReadonlySet<string> = new Set(["config", "print-config"]);

/** Options whose value is a whole number: an integer in the file (a string on the command line). */
export const WHOLE_NUMBER_KEYS: ReadonlySet<string> = new Set([
  "port",
  "admin-port",
  "max-pending-handshakes",
  "forward-max-concurrent",
  "forward-max-attempts",
]);

/** The flags a sink is made of: `sinks[i].KEY` -> `--forward-FLAG`, in the order they apply. */
export const SINK_KEYS = {
  exec: "forward-exec",
  url: "forward-url",
  headers: "forward-header",
  ca: "forward-ca",
  format: "forward-format",
  kinds: "forward-kind",
  "min-severity": "forward-min-severity",
  concurrency: "forward-concurrency",
  env: "forward-env",
} as const;

/** The option names that are keys of the file as they are (sinks and `-file` twins are not). */
export function plainKeys(options: OptionSpecs): string[] {
  return Object.keys(options).filter((name) => {
    if (NOT_KEYS.has(name) || FORWARD_PER_SINK_OPTIONS.has(name)) return false;
    if (name === SINK_KEYS.exec || name === SINK_KEYS.url) return false;
    const twin = name.endsWith("-file") ? options[name.slice(0, -"-file".length)] : undefined;
    return twin?.secret === undefined;
  });
}

type Schema = Record<string, unknown>;

const SECRET_SHAPE: Schema = {
  type: ["string", "object"],
  properties: {
    file: { type: "string", description: "read the secret from this file" },
    env: { type: "string", description: "read the secret from this environment variable" },
  },
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
};

function keySchema(name: string, spec: OptionSpec): Schema {
  if (spec.secret) {
    return {
      description: `${spec.secret.what}: {file: PATH} or {env: VAR} (plain text only in a file that no other user can read); when absent, env ${spec.secret.env}`,
      ...SECRET_SHAPE,
    };
  }
  const described = { description: spec.description };
  if (spec.type === "boolean") return { ...described, type: "boolean" };
  const fallback = spec.default === undefined ? {} : { default: spec.default };
  if (spec.multiple) return { ...described, type: "array", items: { type: "string" }, ...fallback };
  if (WHOLE_NUMBER_KEYS.has(name)) return { ...described, type: "integer" };
  return { ...described, type: "string", ...fallback };
}

const SINK_SCHEMA: Schema = {
  type: "object",
  description: "one destination: exactly one of exec and url, with its own options",
  properties: {
    exec: {
      type: "string",
      description:
        "run this command per notification, JSON on stdin, NETDATA_* env; no shell (write \"sh -c '...'\" for one)",
    },
    url: {
      type: "string",
      description: "POST each notification as JSON to this URL (any 2xx is success)",
    },
    headers: {
      type: "object",
      description:
        "url sinks: header name -> value; {env:VAR} and {file:PATH} in a value read a secret",
      // An HTTP field name (RFC 9110 token): a name holding ':' would move text into the value.
      propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
      additionalProperties: { type: "string" },
    },
    ca: {
      type: "string",
      description:
        "https url sinks: also trust the CA certificates in this PEM file (a private CA)",
    },
    env: {
      type: "array",
      items: { type: "string" },
      description:
        "exec sinks: variables of serve's environment the command gets besides PATH, HOME, LANG, LC_*, TZ and NETDATA_* (names only)",
    },
    format: {
      type: "string",
      description: `url sinks: ${FORWARD_FORMATS.join(" (default) or ")} (the bytes Netdata sent)`,
    },
    filter: {
      type: "object",
      description: "only the notifications that match every condition given",
      properties: {
        kinds: {
          type: "array",
          items: { type: "string" },
          description: `only these kinds: ${FILTER_KIND_NAMES.join(", ")}`,
        },
        "min-severity": {
          type: "string",
          description:
            "only this severity or graver (info and clear rank lowest and alike, then warning, then critical)",
        },
      },
      additionalProperties: false,
    },
    concurrency: {
      type: "integer",
      description: "attempts at once for this sink (default 1: in arrival order)",
    },
  },
  additionalProperties: false,
  oneOf: [{ required: ["exec"] }, { required: ["url"] }],
};

/** The schema of serve's configuration file, made from serve's option declarations. */
export function serveConfigSchema(options: OptionSpecs): Schema {
  const properties: Record<string, Schema> = {};
  for (const name of Object.keys(options)) {
    const spec = options[name];
    if (name === SINK_KEYS.exec) {
      properties.sinks = {
        type: "array",
        description:
          "where each new notification is forwarded, after the 200, at least once, with retries (--forward-exec and --forward-url, in order)",
        items: SINK_SCHEMA,
      };
    }
    if (spec && plainKeys(options).includes(name)) properties[name] = keySchema(name, spec);
  }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "netdata-webhook-kit serve configuration (serve --config FILE, YAML or JSON)",
    type: ["object", "null"],
    properties,
    additionalProperties: false,
  };
}
