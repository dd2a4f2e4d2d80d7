// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
// text exposition format 0.0.4 (the format every Prometheus server and Netdata's go.d
// `prometheus` collector read). Written here rather than taken from prom-client to keep the
// receiver's start-up and dependencies lean; `promtool check metrics` checks the output in
// the tests.

export type Labels = Readonly<Record<string, string>>;

/** The Content-Type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Kind = "counter" | "gauge" | "histogram";

interface Family {
  name: string;
  help: string;
  kind: Kind;
  labelNames: readonly string[];
  /** Samples of this family, rendered in order. */
  render(): string[];
}

/** A value that only goes up, one per label set. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

/** A value that goes up and down, or is computed when scraped. */
export interface Gauge {
  set(value: number, labels?: Labels): void;
  /** Replaces every label set at once (for values read from elsewhere at scrape time). */
  reset(): void;
}

/** Observations counted into cumulative buckets, with their sum. */
export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

export class MetricsRegistry {
  private readonly families: Family[] = [];
  private readonly collectors: Array<() => void | Promise<void>> = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const values = new Map<string, { labels: Labels; value: number }>();
    this.add({ name, help, kind: "counter", labelNames, render: () => lines(name, values) });
    return {
      inc: (labels = {}, by = 1) => {
        if (!(by >= 0)) throw new RangeError(`${name}: a counter only goes up, got ${by}`);
        const key = labelKey(name, labelNames, labels);
        const entry = values.get(key) ?? { labels, value: 0 };
        entry.value += by;
        values.set(key, entry);
      },
      get: (labels = {}) => values.get(labelKey(name, labelNames, labels))?.value ?? 0,
    };
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const values = new Map<string, { labels: Labels; value: number }>();
    this.add({ name, help, kind: "gauge", labelNames, render: () => lines(name, values) });
    return {
      set: (value, labels = {}) => {
        values.set(labelKey(name, labelNames, labels), { labels, value });
      },
      reset: () => values.clear(),
    };
  }

  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly string[] = [],
  ): Histogram {
    if (labelNames.includes("le")) throw new TypeError(`${name}: "le" is reserved for buckets`);
    const bounds = [...buckets].sort((a, b) => a - b);
    type Series = { labels: Labels; counts: number[]; sum: number; count: number };
    const series = new Map<string, Series>();
    const render = (): string[] => {
      const out: string[] = [];
      for (const s of series.values()) {
        bounds.forEach((bound, i) => {
          const le = { ...s.labels, le: formatNumber(bound) };
          out.push(sample(`${name}_bucket`, le, s.counts[i] ?? 0));
        });
        out.push(sample(`${name}_bucket`, { ...s.labels, le: "+Inf" }, s.count));
        out.push(sample(`${name}_sum`, s.labels, s.sum));
        out.push(sample(`${name}_count`, s.labels, s.count));
      }
      return out;
    };
    this.add({ name, help, kind: "histogram", labelNames, render });
    return {
      observe: (value, labels = {}) => {
        const key = labelKey(name, labelNames, labels);
        let s = series.get(key);
        if (!s) {
          s = { labels, counts: bounds.map(() => 0), sum: 0, count: 0 };
          series.set(key, s);
        }
        bounds.forEach((bound, i) => {
          if (value <= bound) (s as Series).counts[i] = ((s as Series).counts[i] ?? 0) + 1;
        });
        s.sum += value;
        s.count += 1;
      },
    };
  }

  /** Runs before every render: sets gauges from values read at scrape time. */
  collect(collector: () => void | Promise<void>): void {
    this.collectors.push(collector);
  }

  /** The whole registry in the text format, collectors run first. */
  async render(): Promise<string> {
    for (const collector of this.collectors) await collector();
    const out: string[] = [];
    for (const family of this.families) {
      out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
      out.push(`# TYPE ${family.name} ${family.kind}`);
      out.push(...family.render());
    }
    return `${out.join("\n")}\n`;
  }

  private add(family: Family): void {
    if (!METRIC_NAME.test(family.name)) throw new TypeError(`bad metric name ${family.name}`);
    for (const label of family.labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith("__")) {
        throw new TypeError(`${family.name}: bad label name ${label}`);
      }
    }
    if (this.families.some((f) => f.name === family.name)) {
      throw new TypeError(`${family.name} is registered twice`);
    }
    this.families.push(family);
  }
}

function labelKey(name: string, labelNames: readonly string[], labels: Labels): string {
  const given = Object.keys(labels);
  if (given.length !== labelNames.length || labelNames.some((l) => labels[l] === undefined)) {
    throw new TypeError(`${name}: expected labels ${labelNames.join(", ") || "(none)"}`);
  }
  return JSON.stringify(labelNames.map((l) => labels[l]));
}

function lines(name: string, values: Map<string, { labels: Labels; value: number }>): string[] {
  return [...values.values()].map((v) => sample(name, v.labels, v.value));
}

function sample(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return `${name}${pairs.length > 0 ? `{${pairs.join(",")}}` : ""} ${formatNumber(value)}`;
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Numbers as Go's ParseFloat reads them, with the format's spellings of the infinities. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
