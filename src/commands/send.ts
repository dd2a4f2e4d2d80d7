import { CommandError, defineCommand } from "./_command.js";

// Placeholder until the command lands; it says so instead of pretending to work.
export const sendCommand = defineCommand({
  name: "send",
  summary: "not implemented yet",
  usage: ["send"],
  examples: [],
  options: {},
  run: () => {
    throw new CommandError("send is not implemented yet.");
  },
});
