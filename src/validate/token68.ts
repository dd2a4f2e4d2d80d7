/** The characters of a token68 (RFC 9110 section 11.2): what a Bearer token may hold. */
export const TOKEN68_CHARACTERS = "A-Z a-z 0-9 - . _ ~ + /, then = padding only at the end";

const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Why `value` is not a token68, without showing any of it (it is a secret): the position
 * (from 1) and kind of the first character that does not belong, or undefined when it is one.
 */
export function token68Problem(value: string): string | undefined {
  if (value.length === 0) return "it is empty";
  if (value.trim().length === 0) return "it is only whitespace";
  const chars = [...value];
  const padding = /=*$/.exec(value)?.[0].length ?? 0;
  const body = chars.length - padding;
  if (body === 0) return "it is only = padding";
  for (let i = 0; i < body; i++) {
    const char = chars[i] ?? "";
    if (char === "=") return `an = at character ${i + 1} (= is only padding at the end)`;
    if (!TOKEN68_CHAR.test(char)) return `${characterKind(char)} at character ${i + 1}`;
  }
  return undefined;
}

function characterKind(char: string): string {
  switch (char) {
    case "\n":
      return "a newline";
    case "\r":
      return "a carriage return";
    case "\t":
      return "a tab";
    case " ":
      return "a space";
  }
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return "a control character";
  if (code > 0x7f) return "a non-ASCII character";
  if (/\s/.test(char)) return "a whitespace character";
  return "a punctuation character";
}
