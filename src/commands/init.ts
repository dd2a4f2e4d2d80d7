import { resolve } from "node:path";
import { DEFAULT_TEMPLATE, TEMPLATE_NAMES, TEMPLATES } from "../scaffold/catalogue.js";
import {
  displayPath,
  ScaffoldError,
  type ScaffoldResult,
  scaffoldProject,
} from "../scaffold/scaffold-project.js";
import { defineCommand, PROGRAM, UsageError, usageLines } from "./_command.js";
import { enumOption } from "./_enum-option.js";

const USAGE = ["init <dir> [--template NAME] [--force]", "init --list"];

export const initCommand = defineCommand({
  name: "init",
  summary: "Create a new receiver project from a template.",
  usage: USAGE,
  examples: [
    ["netdata-webhook-kit init my-receiver", "TypeScript + Express project using the kit"],
    ["netdata-webhook-kit init hooks --template node-http", "node:https, no framework"],
    ["netdata-webhook-kit init hooks --template python-flask", "Flask app behind nginx"],
    ["netdata-webhook-kit init --list", "the templates, one line each"],
  ],
  options: {
    template: {
      type: "string",
      short: "t",
      description: "template to use (see --list)",
      default: DEFAULT_TEMPLATE,
    },
    force: {
      type: "boolean",
      description: "write into a non-empty folder; files with the same names are replaced",
    },
    list: { type: "boolean", description: "list the templates and exit" },
  },
  positionals: { min: 0, max: 1 },
  notes: `Every project reads its configuration from environment variables (see its README.md),
answers the legacy crc_token challenge, shows the test-notification token, checks Basic or
Bearer credentials and accepts all five payload kinds. Exit codes: 0 written, 2 usage error.`,
  run: async ({ values, positionals, stdout, cwd }) => {
    if (values.list) {
      const width = Math.max(...TEMPLATES.map((t) => t.name.length));
      for (const t of TEMPLATES) {
        const mark = t.name === DEFAULT_TEMPLATE ? " (default)" : "";
        stdout(`${t.name.padEnd(width)}  ${t.summary}${mark}\n`);
      }
      return 0;
    }
    const template = enumOption("--template", values.template ?? DEFAULT_TEMPLATE, TEMPLATE_NAMES, {
      noun: "template",
      meaning: `Pass one of ${TEMPLATE_NAMES.join(", ")} ('${PROGRAM} init --list' says what each is)`,
    });
    const dir = positionals[0];
    if (dir === undefined || dir.length === 0) {
      throw new UsageError(
        `missing argument: <dir>. Give the folder to create, e.g. '${PROGRAM} init my-receiver'.\n\n${usageLines({ name: "init", usage: USAGE })}`,
      );
    }
    let result: ScaffoldResult;
    try {
      result = await scaffoldProject({
        template,
        targetDir: resolve(cwd, dir),
        force: values.force === true,
      });
    } catch (error) {
      if (error instanceof ScaffoldError) throw new UsageError(error.message);
      throw error;
    }
    stdout(
      `Created ${displayPath(result.targetDir, cwd)} from the ${result.template.name} template:\n`,
    );
    for (const file of result.files) stdout(`  wrote ${displayPath(file, cwd)}\n`);
    if (result.kit?.packedPath) {
      const why =
        result.kit.source === "checkout" ? "a source checkout" : "not from the npm registry";
      stdout(
        `The running kit is ${why}, so it was packed into ${result.kit.packedPath} and package.json depends on it as ${result.kit.spec}.\n`,
      );
    }
    const steps = result.template.nextSteps(dir).map((step) => `  ${step}\n`);
    stdout(`\nNext steps:\n${steps.join("")}`);
    return 0;
  },
});
