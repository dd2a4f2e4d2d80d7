import { readFileSync } from "node:fs";
import { PROXY_TEMPLATES_DIR_URL } from "../package-facts.js";

/** templates/proxy/ of the kit. */
export const PROXY_TEMPLATES_DIR = PROXY_TEMPLATES_DIR_URL;

const PLACEHOLDER = /\{\{([a-z0-9_]+)\}\}/g;

/** Reads a template shipped in templates/proxy/. */
export function readProxyTemplate(file: string): string {
  return readFileSync(new URL(file, PROXY_TEMPLATES_DIR), "utf8");
}

/**
 * The whole template language: `{{name}}` is replaced by `values[name]`, and a value of
 * several lines keeps the indentation of the line it is placed on. Lines that start with
 * `##` are notes for readers of the template and are dropped. A placeholder without a
 * value, or a value that no placeholder uses, is a bug in a renderer: it throws.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const unused = new Set(Object.keys(values));
  const lines = template.split("\n").filter((line) => !line.startsWith("##"));
  const rendered = lines.map((line) => {
    const indent = /^\s*/.exec(line)?.[0] ?? "";
    return line.replace(PLACEHOLDER, (_match, name: string) => {
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      if (value === undefined) {
        throw new TypeError(`[netdata-webhook-kit] template placeholder {{${name}}} has no value`);
      }
      unused.delete(name);
      return value.replaceAll("\n", `\n${indent}`);
    });
  });
  if (unused.size > 0) {
    throw new TypeError(
      `[netdata-webhook-kit] template has no placeholder for: ${[...unused].join(", ")}`,
    );
  }
  return rendered.join("\n").replace(/[ \t]+$/gm, "");
}

/** `value` as a literal inside a regular expression (PCRE and JavaScript alike). */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A boolean as nginx and Apache both spell it. */
export function onOff(value: boolean): "on" | "off" {
  return value ? "on" : "off";
}
