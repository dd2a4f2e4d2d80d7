import type { Outcome } from "./http-client.js";
import type { ResolvedVerifyOptions } from "./resolve-options.js";
import { deliveryRequest, sendOnTheWire } from "./runtime.js";

export interface SendPlan {
  /** The notification body for repetition `i` (fresh ids each time, or a file as is). */
  body: (i: number) => string;
  count: number;
  concurrency: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SendResult {
  outcomes: Outcome[];
  durationMs: number;
}

/** POSTs `count` notifications as Netdata does, at most `concurrency` at a time. */
export async function sendNotifications(
  options: ResolvedVerifyOptions,
  plan: SendPlan,
): Promise<SendResult> {
  const outcomes: Outcome[] = new Array(plan.count);
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plan.count) {
      const i = next++;
      const request = deliveryRequest(options, { body: plan.body(i) });
      outcomes[i] = await sendOnTheWire(options, {
        ...request,
        timeoutMs: options.timeoutMs,
      });
      done += 1;
      plan.onProgress?.(done, plan.count);
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.count) }, worker));
  return { outcomes, durationMs: Math.round(performance.now() - started) };
}
