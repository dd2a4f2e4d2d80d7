import { SERVE_CONFIG_SCHEMA_FILE } from "./_serve-config-schema.js";

// docs/configuration.md, made from the shipped schema by scripts/serve-config.js: every key
// with its type, default and meaning, after what a reader needs to write the file.

type Schema = Record<string, unknown>;

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
