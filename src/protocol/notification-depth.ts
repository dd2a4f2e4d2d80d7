/**
 * Deepest nesting accepted in a notification body. Netdata's deepest payload (the nested
 * alert) is 5 levels deep; 32 leaves room for growth and stops hostile bodies before
 * ajv or any recursive code walks them.
 */
export const NOTIFICATION_MAX_DEPTH = 32;

/**
 * True when `value` nests objects/arrays deeper than `maxDepth` (the top-level object is
 * depth 1). Iterative, so a body nested a million levels deep cannot overflow the stack.
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  // Two parallel stacks rather than one of {value, depth} pairs: nothing allocated per node.
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const node = values.pop();
    const depth = depths.pop() as number;
    if (typeof node !== "object" || node === null) continue;
    if (depth > maxDepth) return true;
    if (Array.isArray(node)) {
      for (const child of node) {
        if (typeof child === "object" && child !== null) {
          values.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
