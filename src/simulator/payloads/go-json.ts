/**
 * JSON as Go's `encoding/json` writes it (Netdata Cloud is written in Go): `&`, `<` and `>`
 * inside strings become `\u0026`, `\u003c` and `\u003e`. These characters never occur outside
 * strings in JSON text, so replacing them in the serialised text is exact.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("&", "\\u0026")
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e");
}
