import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "./_command.js";

/**
 * A file named by a flag that could not be read. A usage error (exit 2) like any other; the
 * `proxy` command, which may write a config for files that live on another machine, catches
 * it to warn instead.
 */
export class UnreadableFileError extends UsageError {
  override name = "UnreadableFileError";
  constructor(
    /** What is wrong, without the fix: `--tls-key: a folder, not a file: certs/.` */
    readonly problem: string,
    fix: string,
    readonly code: string,
    option?: string,
  ) {
    super(`${problem} ${fix}`, option === undefined ? {} : { option });
  }
}

/**
 * What went wrong reading `path` (given with `flag`), in the CLI's words:
 * `--tls-key: a folder, not a file: certs/. Give the path of the file itself.`
 * `notFoundFix` replaces the default "Give the right path." for a missing file.
 */
export function fileProblem(
  flag: string,
  path: string,
  error: unknown,
  notFoundFix = "Give the right path.",
): UnreadableFileError {
  const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
  const say = (what: string, fix: string) =>
    // `--forward-header X-Key`: the option is the first word.
    new UnreadableFileError(`${flag}: ${what}: ${path}.`, fix, code, flag.split(" ")[0]);
  switch (code) {
    case "ENOENT":
      return say("file not found", notFoundFix);
    case "EISDIR":
      return say("a folder, not a file", "Give the path of the file itself.");
    case "ENOTDIR":
      return say(
        "not a path to a file",
        "A part of it is a file, not a folder: give the right path.",
      );
    case "EACCES":
    case "EPERM":
      return say("permission denied", "Let this user read it (chmod/chown), or run as its owner.");
    default:
      return say(`cannot read the file (${code})`, "Check that it is a readable file.");
  }
}

/**
 * Reads a text file named by `flag`, or throws the UnreadableFileError that says why not.
 * `readPath`: where to read it, when `path` is shown as the user gave it (relative).
 */
export function readFlagFile(
  flag: string,
  path: string,
  notFoundFix?: string,
  readPath = path,
): string {
  try {
    return readFileSync(readPath, "utf8");
  } catch (error) {
    throw fileProblem(flag, path, error, notFoundFix);
  }
}

/**
 * A file the command will create or open (`--db`, `--json-file`) must not be a folder:
 * said before SQLite or the write can say it in their own words ("disk I/O error").
 */
export function refuseFolder(flag: string, path: string, fix: string): void {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    return;
  }
  if (folder)
    throw new UsageError(`${flag}: a folder, not a file: ${path}. ${fix}`, { option: flag });
}

/** A folder the command will create or fill (`--pki`) must not be a file. */
export function refuseFile(flag: string, path: string, fix: string): void {
  let file = false;
  try {
    file = !statSync(path).isDirectory();
  } catch {
    return;
  }
  if (file)
    throw new UsageError(`${flag}: a file, not a folder: ${path}. ${fix}`, { option: flag });
}

/**
 * The folder of a file the command will create or open (`--db`, `--out-file`) must exist: said before
 * SQLite can say it in its own words (ENOENT), and before any other set-up work.
 */
export function refuseMissingFolder(flag: string, path: string): void {
  const folder = dirname(path);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new UsageError(
      `${flag}: the folder does not exist: ${folder}. Create it (mkdir -p ${folder}) or choose another path.`,
      { option: flag },
    );
  }
  if (!isFolder) {
    throw new UsageError(
      `${flag}: not a path to a file: ${path}. ${folder} is a file, not a folder: choose another path.`,
      { option: flag },
    );
  }
}
