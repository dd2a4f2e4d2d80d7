import { CommandError, defineCommand } from "./_command.js";

// Placeholder until the command lands; it says so instead of pretending to work.
export const demoCommand = defineCommand({
  name: "demo",
  summary: "not implemented yet",
  usage: ["demo"],
  examples: [],
  options: {},
  run: () => {
    throw new CommandError("demo is not implemented yet.");
  },
});
