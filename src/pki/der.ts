/**
 * The few DER encodings (ITU-T X.690) an X.509 certificate needs, for the development PKI.
 * Every function returns the complete TLV (tag, length, value) as a Buffer.
 */

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Characters PrintableString may hold (X.680 41.4); anything else is a UTF8String. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
/**
 * RFC 5280 4.1.2.5: UTCTime for 1950 through 2049 (its two-digit year YY means 19YY from 50,
 * 20YY below), GeneralizedTime for every other year.
 */
const UTC_TIME_YEARS = { first: 1950, last: 2049 } as const;

/** A TLV with a universal or context tag byte. */
export function tlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(tag), encodeLength(value.length), value]);
}

/** Short form below 128, long form (0x80 | byte count, big-endian) above. */
export function encodeLength(length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`DER length must be a non-negative integer, got ${length}`);
  }
  if (length < 0x80) return Buffer.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.of(0x80 | bytes.length, ...bytes);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(TAG.sequence, Buffer.concat(items));

/** A SET OF: DER sorts the encoded elements (X.690 11.6). */
export function set(...items: Uint8Array[]): Buffer {
  const sorted = items.map((item) => Buffer.from(item)).sort(Buffer.compare);
  return tlv(TAG.set, Buffer.concat(sorted));
}

export const boolean = (value: boolean): Buffer => tlv(TAG.boolean, Buffer.of(value ? 0xff : 0));

/** A non-negative INTEGER from its big-endian magnitude: minimal, with a 0 byte if the top bit is set. */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const bytes = Buffer.from(magnitude.subarray(start));
  if (bytes.length === 0) return tlv(TAG.integer, Buffer.of(0));
  const needsPad = ((bytes[0] ?? 0) & 0x80) !== 0;
  return tlv(TAG.integer, needsPad ? Buffer.concat([Buffer.of(0), bytes]) : bytes);
}

export const smallInteger = (value: number): Buffer => {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`small DER integer must be 0-65535, got ${value}`);
  }
  return unsignedInteger(value > 0xff ? Buffer.of(value >> 8, value & 0xff) : Buffer.of(value));
};

/** An OBJECT IDENTIFIER from dotted notation, e.g. "2.5.4.3". */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`invalid OID ${JSON.stringify(dotted)}`);
    return Number(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) {
    throw new RangeError(`invalid OID ${JSON.stringify(dotted)}`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc % 128];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      base128.unshift(0x80 | (value % 128));
    }
    bytes.push(...base128);
  }
  return tlv(TAG.oid, Buffer.from(bytes));
}

/** A BIT STRING holding whole bytes (no unused bits). */
export const bitString = (bytes: Uint8Array): Buffer =>
  tlv(TAG.bitString, Buffer.concat([Buffer.of(0), bytes]));

/**
 * A named-bit BIT STRING (KeyUsage) from the numbers of the bits that are set; bit 0 is the
 * most significant bit of the first byte. DER drops trailing zero bits (X.690 11.2.2).
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return tlv(TAG.bitString, Buffer.of(0));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) {
    const index = Math.floor(bit / 8);
    bytes[index] = (bytes[index] ?? 0) | (0x80 >> (bit % 8));
  }
  const unused = 7 - (highest % 8);
  return tlv(TAG.bitString, Buffer.concat([Buffer.of(unused), bytes]));
}

export const octetString = (bytes: Uint8Array): Buffer => tlv(TAG.octetString, bytes);

/** A directory string: PrintableString when every character allows it, else UTF8String. */
export const directoryString = (text: string): Buffer =>
  tlv(PRINTABLE.test(text) ? TAG.printableString : TAG.utf8String, Buffer.from(text, "utf8"));

/** A certificate validity time in UTC, whole seconds: UTCTime for 1950-2049, else GeneralizedTime. */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  // Four-digit years only: toISOString writes others as +YYYYYY or -YYYYYY.
  if (!(year >= 0 && year <= 9999)) {
    throw new RangeError(`DER time must fall in the years 0000-9999, got ${String(date)}`);
  }
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return year >= UTC_TIME_YEARS.first && year <= UTC_TIME_YEARS.last
    ? tlv(TAG.utcTime, Buffer.from(digits.slice(2), "ascii"))
    : tlv(TAG.generalizedTime, Buffer.from(digits, "ascii"));
}

/** A context-specific tag: [n] EXPLICIT (constructed) or [n] IMPLICIT primitive. */
export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);
export const implicitPrimitive = (n: number, value: Uint8Array): Buffer => tlv(0x80 | n, value);

/** PEM armour, 64 characters per line. */
export function pem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
