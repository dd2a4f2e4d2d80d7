import { CommandError, defineCommand } from "./_command.js";

// Placeholder until the command lands; it says so instead of pretending to work.
export const initCommand = defineCommand({
  name: "init",
  summary: "not implemented yet",
  usage: ["init"],
  examples: [],
  options: {},
  run: () => {
    throw new CommandError("init is not implemented yet.");
  },
});
