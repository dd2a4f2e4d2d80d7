/**
 * Text that came from the network, made safe to print on a terminal: control characters
 * (ESC sequences that recolour or retitle the terminal, carriage returns that overwrite a
 * line) become U+FFFD.
 */
export function terminalSafe(text: string): string {
  return text.replace(/\p{Cc}/gu, "\uFFFD");
}
