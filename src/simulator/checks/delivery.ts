import type { CheckContext, CheckDefinition } from "../check.js";
import { fail, failWith, notApplicable, pass, skip } from "../check.js";
import { isSuccess } from "../outcome-classify.js";
import type { AlertSeverity } from "../payloads/alert-catalogue.js";
import { ALERT_FLAT_ERAS } from "../payloads/alert-flat.js";
import type { Payload, PayloadFormat } from "../payloads/payload-factory.js";
import { inTurn, listBriefly, misses, refusalNotAboutPayload } from "./_expect.js";

const SEVERITIES: AlertSeverity[] = ["critical", "warning", "clear"];

interface DeliverySpec {
  id: string;
  title: string;
  /** Only sent when `--payloads` selects this format; null: whatever is selected. */
  format: PayloadFormat | null;
  payloads: (ctx: CheckContext) => Payload[];
  cause: string;
  fix: string;
}

function deliveryCheck(spec: DeliverySpec): CheckDefinition {
  return {
    id: spec.id,
    title: spec.title,
    level: "required",
    fix: spec.fix,
    run: async (ctx) => {
      if (spec.format !== null && !ctx.options.formats.includes(spec.format)) {
        return notApplicable(
          `--payloads ${ctx.options.payloads}: ${spec.format} payloads are not sent`,
        );
      }
      const blocked = await ctx.deliveryBlocker();
      if (blocked) return skip(blocked);
      const sent = spec.payloads(ctx);
      const results = await inTurn(sent, async (payload) => ({
        label: payload.label,
        outcome: await ctx.deliver(payload),
      }));
      const bad = misses(results, isSuccess);
      if (bad.length === 0) return pass(`${results.length} notification(s) accepted`);
      const other = refusalNotAboutPayload(results, isSuccess);
      if (other) return fail(listBriefly(bad), other.cause, other.fix, other.causeId);
      // Only nested payloads refused: one defect, whichever check saw it.
      const refused = sent.filter((_, i) => {
        const outcome = results[i]?.outcome;
        return outcome !== undefined && !isSuccess(outcome);
      });
      if (refused.every((payload) => payload.kind.endsWith("-nested"))) {
        return failWith(listBriefly(bad), "nested-payloads-refused");
      }
      return fail(listBriefly(bad), `${spec.cause}.`);
    },
  };
}

export const DELIVERY_KIND_CHECKS: CheckDefinition[] = [
  deliveryCheck({
    id: "delivery.alert-flat",
    title: "flat alerts, every historical spelling, get 2xx",
    format: "flat",
    payloads: ({ payloads }) =>
      ALERT_FLAT_ERAS.flatMap((era) => SEVERITIES.map((s) => payloads.alert("flat", s, era))),
    cause: "a documented flat alert was refused",
    fix: "Accept every documented spelling: alarm/alert, alarm_url/alert_url, rooms/Rooms (a map or a list), critical_count/warning_count or additional_active_*; severity critical, warning or clear.",
  }),
  deliveryCheck({
    id: "delivery.alert-nested",
    title: "nested alerts (raised critical, raised warning, recovered) get 2xx",
    format: "nested",
    payloads: ({ payloads }) => SEVERITIES.map((s) => payloads.alert("nested", s)),
    cause: "a nested alert, as Netdata Cloud sends since 2026, was refused",
    fix: "Accept the nested alert: alert.state.status Critical, Warning or Clear (capitalised), node, space and alert objects; see test/fixtures/captured.",
  }),
  deliveryCheck({
    id: "delivery.reachability-flat",
    title: "flat reachability notifications get 2xx",
    format: "flat",
    payloads: ({ payloads }) => [false, true].map((r) => payloads.reachability("flat", r)),
    cause: "a documented flat reachability notification was refused",
    fix: "Accept {message, url, host, severity info|critical, status: {reachable, text}}.",
  }),
  deliveryCheck({
    id: "delivery.reachability-nested",
    title: "nested reachability notifications get 2xx",
    format: "nested",
    payloads: ({ payloads }) => [false, true].map((r) => payloads.reachability("nested", r)),
    cause: "a nested reachability notification, as Netdata Cloud sends since 2026, was refused",
    fix: "Accept status as a string (reachable|unreachable), a reachable boolean and a nodes array.",
  }),
  deliveryCheck({
    id: "delivery.unknown-fields",
    title: "payloads with unknown fields get 2xx",
    format: null,
    payloads: ({ payloads, options }) =>
      options.formats.flatMap((f) => [
        payloads.withUnknownFields(`alert-${f}`),
        payloads.withUnknownFields(`reachability-${f}`),
      ]),
    cause:
      "a payload with fields the receiver does not know was refused; Netdata adds fields without notice",
    fix: "Ignore unknown fields (no additionalProperties: false, no strict DTOs); validate only what you use.",
  }),
];
