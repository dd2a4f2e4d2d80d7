/** Longest DN string parsed; real subjects are a few hundred characters. */
export const DN_MAX_LENGTH = 4096;

export interface DnAttribute {
  /** The attribute type as written: a name (`CN`) or a dotted OID (`2.5.4.3`). */
  type: string;
  value: string;
  /** True for a `#hex` (BER-encoded) value; `value` then keeps the `#hex` text undecoded. */
  hex: boolean;
}

/** A relative distinguished name: usually one attribute, several when joined with `+`. */
export type Rdn = DnAttribute[];

export type DnParseResult = { ok: true; rdns: Rdn[] } | { ok: false; reason: string };
export type DnCommonNameResult = { ok: true; cn: string } | { ok: false; reason: string };

const ATTRIBUTE_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;
const ESCAPABLE = new Set([...' "#+,;<=>\\']);
const MUST_ESCAPE = new Set(['"', "<", ">"]);
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const CN_TYPES = new Set(["cn", "commonname", "2.5.4.3"]);

class DnSyntaxError extends Error {}

/**
 * Parses a distinguished name in RFC 4514 / RFC 2253 string form, as nginx
 * (`$ssl_client_s_dn`) and Apache (`SSL_CLIENT_S_DN`) forward it: `CN=app.netdata.cloud,O=Netdata`.
 * Backslash escapes (`\,`, `\+`, `\2C`, UTF-8 as `\C3\A9`) are decoded; spaces around
 * separators and `;` as a separator are tolerated (RFC 2253 section 4). The legacy
 * `/C=US/CN=x` form is refused: a `/` inside a value is not escaped there, so it is ambiguous.
 */
export function parseDistinguishedName(dn: string): DnParseResult {
  if (typeof dn !== "string") return { ok: false, reason: "the DN is not a string" };
  if (dn.length > DN_MAX_LENGTH) {
    return {
      ok: false,
      reason: `the DN is ${dn.length} characters long; the limit is ${DN_MAX_LENGTH}`,
    };
  }
  if (dn.trim().length === 0) return { ok: false, reason: "the DN is empty" };
  if (dn.trimStart().startsWith("/")) {
    return {
      ok: false,
      reason:
        "the DN is in the legacy '/A=x/B=y' form, which cannot be parsed safely; forward the RFC 2253 form (nginx $ssl_client_s_dn)",
    };
  }
  try {
    return { ok: true, rdns: new DnScanner(dn).parse() };
  } catch (error) {
    if (error instanceof DnSyntaxError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The one CN of a DN string; zero CNs, several CNs or a `#hex` CN are refused. */
export function commonNameOfDistinguishedName(dn: string): DnCommonNameResult {
  const parsed = parseDistinguishedName(dn);
  if (!parsed.ok) return parsed;
  const cns = parsed.rdns.flat().filter((a) => CN_TYPES.has(a.type.toLowerCase()));
  if (cns.length === 0) return { ok: false, reason: "the DN has no CN attribute" };
  if (cns.length > 1) {
    return { ok: false, reason: `the DN has ${cns.length} CN attributes; exactly one is allowed` };
  }
  const [cn] = cns as [DnAttribute];
  if (cn.hex) return { ok: false, reason: "the DN's CN is hex-encoded, which is not accepted" };
  return { ok: true, cn: cn.value };
}

class DnScanner {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Rdn[] {
    const rdns: Rdn[] = [];
    let rdn: Rdn = [];
    for (;;) {
      rdn.push(this.attribute());
      if (this.i >= this.s.length) break;
      const separator = this.s[this.i++];
      if (separator !== "+") {
        rdns.push(rdn);
        rdn = [];
      }
      this.skipSpaces();
      if (this.i >= this.s.length) throw new DnSyntaxError("the DN ends with a separator");
    }
    rdns.push(rdn);
    return rdns;
  }

  private attribute(): DnAttribute {
    this.skipSpaces();
    const equals = this.s.indexOf("=", this.i);
    if (equals < 0) throw new DnSyntaxError(`expected 'type=value' at position ${this.i}`);
    const type = this.s.slice(this.i, equals).trim();
    if (!ATTRIBUTE_TYPE.test(type)) {
      throw new DnSyntaxError(`${JSON.stringify(type)} is not an attribute type`);
    }
    this.i = equals + 1;
    this.skipSpaces();
    if (this.s[this.i] === "#") return { type, value: this.hexValue(), hex: true };
    if (this.s[this.i] === '"') {
      throw new DnSyntaxError("quoted values are not accepted; forward the RFC 2253 form");
    }
    return { type, value: this.stringValue(), hex: false };
  }

  private hexValue(): string {
    const start = this.i;
    this.i += 1;
    while (this.i < this.s.length && /[0-9A-Fa-f]/.test(this.s[this.i] ?? "")) this.i += 1;
    const value = this.s.slice(start, this.i);
    this.skipSpaces();
    if (value.length < 3 || value.length % 2 === 0 || !this.atSeparatorOrEnd()) {
      throw new DnSyntaxError(`malformed hex value at position ${start}`);
    }
    return value;
  }

  private stringValue(): string {
    const bytes: number[] = [];
    let keep = 0; // bytes up to the last escaped or non-space character: unescaped trailing spaces go
    while (this.i < this.s.length && !this.atSeparatorOrEnd()) {
      const c = this.s[this.i] as string;
      if (c === "\\") {
        bytes.push(...this.escape());
        keep = bytes.length;
        continue;
      }
      if (MUST_ESCAPE.has(c) || c < " ") {
        throw new DnSyntaxError(`unescaped ${JSON.stringify(c)} at position ${this.i}`);
      }
      const char = String.fromCodePoint(this.s.codePointAt(this.i) as number);
      bytes.push(...Buffer.from(char, "utf8"));
      this.i += char.length;
      if (c !== " ") keep = bytes.length;
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.from(bytes.slice(0, keep)),
      );
    } catch {
      throw new DnSyntaxError("a value is not valid UTF-8 after unescaping");
    }
  }

  private escape(): number[] {
    const pair = this.s.slice(this.i + 1, this.i + 3);
    if (HEX_PAIR.test(pair)) {
      this.i += 3;
      return [Number.parseInt(pair, 16)];
    }
    const next = this.s[this.i + 1];
    if (next !== undefined && ESCAPABLE.has(next)) {
      this.i += 2;
      return [next.charCodeAt(0)];
    }
    throw new DnSyntaxError(`invalid escape at position ${this.i}`);
  }

  private atSeparatorOrEnd(): boolean {
    const c = this.s[this.i];
    return c === undefined || c === "," || c === "+" || c === ";";
  }

  private skipSpaces(): void {
    while (this.s[this.i] === " ") this.i += 1;
  }
}
