// netdata-webhook-kit/verify: the conformance run and its reports.
export { CHECK_IDS } from "../simulator/catalogue.js";
export type {
  Payload,
  PayloadFactory,
  PayloadFormat,
} from "../simulator/payloads/payload-factory.js";
export { createPayloadFactory } from "../simulator/payloads/payload-factory.js";
export { renderHumanReport } from "../simulator/report-human.js";
export { parseJsonReport, reportToJson } from "../simulator/report-json.js";
export { reportToJunit } from "../simulator/report-junit.js";
export { VerifyOptionsError } from "../simulator/resolve-options.js";
export { verifyReceiver } from "../simulator/run.js";
export type {
  CheckLevel,
  CheckResult,
  CheckStatus,
  Exchange,
  PayloadSelection,
  VerifyOptions,
  VerifyProfile,
  VerifyReport,
} from "../simulator/types.js";
