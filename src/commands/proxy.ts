import { CommandError, defineCommand } from "./_command.js";

// Placeholder until the command lands; it says so instead of pretending to work.
export const proxyCommand = defineCommand({
  name: "proxy",
  summary: "not implemented yet",
  usage: ["proxy"],
  examples: [],
  options: {},
  run: () => {
    throw new CommandError("proxy is not implemented yet.");
  },
});
