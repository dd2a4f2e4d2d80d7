// @ts-check
// Wall time of whole commands (rows 5, 6, 7), and the A B A B order every row measures in.
import { spawn } from "node:child_process";

/**
 * Runs a command to the end; `ms` is the wall time from spawn to exit.
 * @param {string} program
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<{ ms: number, code: number | null, output: string }>}
 */
export function timeCommand(program, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(program, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (/** @type {Buffer} */ chunk) => {
      output += chunk.toString("utf8");
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("close", (code) => resolve({ ms: performance.now() - started, code, output }));
  });
}

/**
 * Measures each side once per round, A B A B ..., so that whatever else the machine is doing
 * falls on both sides alike. Returns the measurements of each side, in order.
 * @template T
 * @param {number} rounds
 * @param {Array<(round: number) => Promise<T>>} sides
 * @returns {Promise<T[][]>}
 */
export async function alternate(rounds, sides) {
  /** @type {T[][]} */
  const results = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [index, side] of sides.entries()) results[index]?.push(await side(round));
  }
  return results;
}
