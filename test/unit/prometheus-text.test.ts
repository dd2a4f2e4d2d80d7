import { describe, expect, it, vi } from "vitest";
import {
  PROCESS_SAMPLE_MIN_INTERVAL_MS,
  registerProcessMetrics,
} from "../../src/admin/process-metrics.js";
import { escapeLabelValue, MetricsRegistry } from "../../src/admin/prometheus-text.js";

describe("Prometheus text exposition", () => {
  it("renders HELP and TYPE lines, then the samples with their labels", async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter("demo_events_total", "Events.", ["kind"]);
    counter.inc({ kind: "a" });
    counter.inc({ kind: "a" }, 2);
    registry.gauge("demo_open", "Open things.").set(4);
    expect(await registry.render()).toBe(
      [
        "# HELP demo_events_total Events.",
        "# TYPE demo_events_total counter",
        'demo_events_total{kind="a"} 3',
        "# HELP demo_open Open things.",
        "# TYPE demo_open gauge",
        "demo_open 4",
        "",
      ].join("\n"),
    );
  });

  it("counts histogram observations into cumulative buckets, +Inf last, with sum and count", async () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram("demo_seconds", "Durations.", [0.5, 0.1]);
    for (const value of [0.05, 0.2, 0.3, 7]) histogram.observe(value);
    const lines = (await registry.render()).split("\n").filter((l) => !l.startsWith("#"));
    expect(lines).toEqual([
      'demo_seconds_bucket{le="0.1"} 1',
      'demo_seconds_bucket{le="0.5"} 3',
      'demo_seconds_bucket{le="+Inf"} 4',
      "demo_seconds_sum 7.55",
      "demo_seconds_count 4",
      "",
    ]);
  });

  it("escapes backslash, double quote and line feed in label values", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it("refuses a metric or label name outside the format, a wrong label set and a counter going down", () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter("bad-name", "x")).toThrow(/bad metric name/);
    expect(() => registry.gauge("ok_gauge", "x", ["__reserved"])).toThrow(/bad label name/);
    const counter = registry.counter("ok_total", "x", ["kind"]);
    expect(() => counter.inc({ other: "1" })).toThrow(/expected labels kind/);
    expect(() => counter.inc({ kind: "a" }, -1)).toThrow(/only goes up/);
    expect(() => registry.counter("ok_total", "x")).toThrow(/registered twice/);
  });
});

describe("the process metrics", () => {
  it("are read at most once a second, however often /metrics is scraped", async () => {
    const cpuUsage = vi.spyOn(process, "cpuUsage");
    let clock = 0;
    const registry = new MetricsRegistry();
    const stop = registerProcessMetrics(registry, () => clock);
    try {
      for (let i = 0; i < 50; i++) await registry.render();
      expect(cpuUsage).toHaveBeenCalledTimes(1);
      clock += PROCESS_SAMPLE_MIN_INTERVAL_MS;
      const text = await registry.render();
      expect(cpuUsage).toHaveBeenCalledTimes(2);
      expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    } finally {
      stop();
      cpuUsage.mockRestore();
    }
  });
});
