import { CommandError, defineCommand } from "./_command.js";

// Placeholder until the command lands; it says so instead of pretending to work.
export const serveCommand = defineCommand({
  name: "serve",
  summary: "not implemented yet",
  usage: ["serve"],
  examples: [],
  options: {},
  run: () => {
    throw new CommandError("serve is not implemented yet.");
  },
});
