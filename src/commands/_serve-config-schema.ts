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
      additionalProperties: { type: "string" },
    },
    ca: {
      type: "string",
      description:
        "https url sinks: also trust the CA certificates in this PEM file (a private CA)",
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

const EXAMPLE = `# serve.yaml: netdata-webhook-kit serve --config serve.yaml
tls-cert: /etc/netdata-webhook-kit/fullchain.pem
tls-key: /etc/netdata-webhook-kit/key.pem
auth: bearer
bearer-token: {file: /etc/netdata-webhook-kit/token.txt}
challenge-secret: {env: NETDATA_CHALLENGE_SECRET}
db: /var/lib/netdata-webhook-kit/inbox.db
sinks:
  - exec: /usr/local/bin/page-oncall --team ops
    filter: {kinds: [alert], min-severity: critical}
  - url: https://ntfy.example.com/alerts
    headers:
      Authorization: "Bearer {file:/etc/netdata-webhook-kit/ntfy-token.txt}"
    filter: {min-severity: warning}
forward-timeout: 10s`;

/** One schema's type, as the doc says it. */
function typeOf(schema: Schema): string {
  if (schema.properties && (schema.properties as Schema).file) return "secret";
  if (schema.type === "array") {
    const items = (schema.items ?? {}) as Schema;
    return items.type === "object" ? "list of sinks (below)" : `list of ${items.type}s`;
  }
  if (schema.type === "object") return "map";
  return String(schema.type);
}

function table(properties: Record<string, Schema>, prefix: string): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  const rows = Object.entries(properties).flatMap(([key, schema]): string[] => {
    if (key === "filter") return [table(schema.properties as Record<string, Schema>, "filter.")];
    const fallback =
      schema.default === undefined ? "" : `\`${[schema.default].flat().join(", ")}\``;
    return [
      `| \`${prefix}${key}\` | ${typeOf(schema)} | ${fallback} | ${cell(String(schema.description ?? ""))} |`,
    ];
  });
  return rows.join("\n");
}

/** docs/configuration.md, made from the schema: every key, its type, default and meaning. */
export function configurationDoc(schema: Schema): string {
  const properties = schema.properties as Record<string, Schema>;
  const { sinks } = properties;
  const sink = ((sinks?.items ?? {}) as Schema).properties as Record<string, Schema>;
  const head = "| key | type | default | meaning |\n|---|---|---|---|";
  return `# Configuring \`serve\`

<!-- Made from schemas/${SERVE_CONFIG_SCHEMA_FILE} by scripts/serve-config.js: change serve's options, then run it. -->

\`netdata-webhook-kit serve --config FILE\` reads its settings from a YAML or JSON file, checked
against [schemas/${SERVE_CONFIG_SCHEMA_FILE}](../schemas/${SERVE_CONFIG_SCHEMA_FILE}).

- Every option of \`serve\` is a key of the same name: \`--tls-cert FILE\` is \`tls-cert: FILE\`,
  \`--dev\` is \`dev: true\`, a repeatable option is a list. Values are judged by the same
  checks as the flags, with the same messages.
- Flags override the file, key by key; a list given as flags replaces the file's list, and any
  \`--forward-exec\`/\`--forward-url\` replaces the file's \`sinks\`. Then come the environment
  variables (\`NETDATA_BEARER_TOKEN\`, ...), as without a file.
- Secrets are \`{file: PATH}\` or \`{env: VAR}\`. A secret in plain text (a secret key, or a
  header such as \`Authorization\` without \`{file:...}\`/\`{env:...}\`) is refused unless
  no other user can read the file (\`chmod 600 FILE\`).
- Relative paths are relative to the folder \`serve\` starts in, as on the command line.
- Forwarding sinks are the list \`sinks\`, in order, each with its own headers and filter
  (the per-sink \`--forward-*\` flags).
- An unknown key or a value of the wrong type is refused (exit 2) with its line and the
  closest key.
- \`serve --print-config\` prints the effective configuration (the file, then the flags, with
  the defaults) as YAML, secrets as references, and exits; fed back as \`--config\`, it gives the
  same configuration.

\`\`\`yaml
${EXAMPLE}
\`\`\`

## Keys

${head}
${table(properties, "")}

## Sinks: \`sinks[i]\`

Each sink is ${((sinks?.items ?? {}) as Schema).description ?? ""}.

${head}
${table(sink, "")}
`;
}
