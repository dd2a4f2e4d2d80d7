import { CommandError, defineCommand } from "./_command.js";

// Placeholder until the command lands; it says so instead of pretending to work.
export const certsCommand = defineCommand({
  name: "certs",
  summary: "not implemented yet",
  usage: ["certs"],
  examples: [],
  options: {},
  run: () => {
    throw new CommandError("certs is not implemented yet.");
  },
});
