import { CommandError, defineCommand } from "./_command.js";

// Placeholder until the command lands; it says so instead of pretending to work.
export const inboxCommand = defineCommand({
  name: "inbox",
  summary: "not implemented yet",
  usage: ["inbox"],
  examples: [],
  options: {},
  run: () => {
    throw new CommandError("inbox is not implemented yet.");
  },
});
