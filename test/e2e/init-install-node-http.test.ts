// init --template node-http as a user runs it, outside any checkout (test/e2e/init-install-harness.ts).
import { describeInitInstall } from "./init-install-harness.js";

describeInitInstall("node-http");
