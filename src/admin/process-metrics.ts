import { readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { MetricsRegistry } from "./prometheus-text.js";

/** Resolution of the event-loop delay sampler, in milliseconds (prom-client uses 10 too). */
const EVENT_LOOP_RESOLUTION_MS = 10;
/**
 * The process figures are read at most this often; scrapes in between show the last reading.
 * Reading them (getrusage, /proc/self/fd, /proc/self/limits) costs about a millisecond, and a
 * client polling /metrics back to back must not spend the CPU the probes need.
 */
export const PROCESS_SAMPLE_MIN_INTERVAL_MS = 1000;

/**
 * The process metrics every Prometheus client library exposes under the same names
 * (process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds, ...), plus a
 * few of Node's own. Values are read when scraped, at most once a second. The /proc files exist on Linux only;
 * elsewhere those metrics are left out rather than reported as 0.
 * Returns a function that stops the event-loop sampler.
 */
export function registerProcessMetrics(
  registry: MetricsRegistry,
  now: () => number = Date.now,
): () => void {
  const cpu = registry.counter(
    "process_cpu_seconds_total",
    "Total user and system CPU time spent in seconds.",
  );
  const cpuUser = registry.counter(
    "process_cpu_user_seconds_total",
    "Total user CPU time spent in seconds.",
  );
  const cpuSystem = registry.counter(
    "process_cpu_system_seconds_total",
    "Total system CPU time spent in seconds.",
  );
  const start = registry.gauge(
    "process_start_time_seconds",
    "Start time of the process since unix epoch in seconds.",
  );
  const rss = registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.");
  const linux = process.platform === "linux";
  const virtual = linux
    ? registry.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")
    : undefined;
  const openFds = linux
    ? registry.gauge("process_open_fds", "Number of open file descriptors.")
    : undefined;
  const maxFds = linux
    ? registry.gauge("process_max_fds", "Maximum number of open file descriptors.")
    : undefined;
  const heapTotal = registry.gauge(
    "nodejs_heap_size_total_bytes",
    "Process heap size from Node.js in bytes.",
  );
  const heapUsed = registry.gauge(
    "nodejs_heap_size_used_bytes",
    "Process heap size used from Node.js in bytes.",
  );
  const external = registry.gauge(
    "nodejs_external_memory_bytes",
    "Node.js external memory size in bytes.",
  );
  const lag = registry.gauge(
    "nodejs_eventloop_lag_p99_seconds",
    "The 99th percentile of the event loop delay since the last scrape.",
  );
  const version = registry.gauge("nodejs_version_info", "Node.js version info.", ["version"]);
  const delay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  delay.enable();
  let lastCpu = { user: 0, system: 0 };
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  let sampledAt: number | undefined;
  registry.collect(() => {
    const at = now();
    if (sampledAt !== undefined && at - sampledAt < PROCESS_SAMPLE_MIN_INTERVAL_MS) return;
    sampledAt = at;
    const usage = process.cpuUsage();
    // Counters take increments: add what was used since the previous scrape.
    cpuUser.inc({}, Math.max(0, usage.user - lastCpu.user) / 1e6);
    cpuSystem.inc({}, Math.max(0, usage.system - lastCpu.system) / 1e6);
    cpu.inc({}, Math.max(0, usage.user + usage.system - lastCpu.user - lastCpu.system) / 1e6);
    lastCpu = usage;
    start.set(startSeconds);
    const memory = process.memoryUsage();
    rss.set(memory.rss);
    heapTotal.set(memory.heapTotal);
    heapUsed.set(memory.heapUsed);
    external.set(memory.external);
    lag.set(delay.count > 0 ? delay.percentile(99) / 1e9 : 0);
    delay.reset();
    version.set(1, { version: process.version });
    if (linux) readProcFiles(virtual, openFds, maxFds);
  });
  return () => delay.disable();
}

type MaybeGauge = { set(value: number): void } | undefined;

function readProcFiles(virtual: MaybeGauge, openFds: MaybeGauge, maxFds: MaybeGauge): void {
  try {
    // Field 23 of /proc/self/stat is vsize in bytes; the command name (field 2) may hold spaces.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    virtual?.set(Number(fields[20]));
    openFds?.set(readdirSync("/proc/self/fd").length);
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    if (limit) maxFds?.set(Number(limit[1]));
  } catch {
    // A /proc that cannot be read leaves these gauges at their last value.
  }
}
