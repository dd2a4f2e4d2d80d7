// netdata-webhook-kit/express: the receiver for Express 5: a middleware to mount in your app
// (netdataWebhook) or a whole app with helmet's headers (createReceiverApp).
export type { ReceiverAppOptions } from "../receiver/app.js";
export { createReceiverApp } from "../receiver/app.js";
export { netdataCheckContinue } from "../receiver/expect-continue.js";
export { netdataWebhook } from "../receiver/middleware/netdata-webhook.js";
export type { NetdataWebhookOptions } from "../receiver/options.js";
