// @ts-check
// Reference point of bench row 1 (not a baseline): the raw baseline's handler inside an
// Express 5 app with helmet, as the receiver is built. Same TLS setup as raw-https.js; the
// difference between the two is what the framework alone costs.
import express from "express";
import helmet from "helmet";
import { parseAndAccept, serveLean } from "./_lean-server.js";

/** @type {{ tls: { cert: string, key: string, ca: string } }} */
const config = JSON.parse(process.argv[2] ?? "{}");
const app = express();
app.disable("x-powered-by");
app.set("etag", false);
app.use(helmet());
app.post("/webhooks/netdata", parseAndAccept);
serveLean(config.tls, app);
