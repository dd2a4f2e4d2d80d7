import { CommandError, defineCommand } from "./_command.js";

// Placeholder until the command lands; it says so instead of pretending to work.
export const verifyCommand = defineCommand({
  name: "verify",
  summary: "not implemented yet",
  usage: ["verify"],
  examples: [],
  options: {},
  run: () => {
    throw new CommandError("verify is not implemented yet.");
  },
});
