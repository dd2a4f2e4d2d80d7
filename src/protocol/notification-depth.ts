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
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item.value !== "object" || item.value === null) continue;
    if (item.depth > maxDepth) return true;
    const children = Array.isArray(item.value) ? item.value : Object.values(item.value);
    for (const child of children) {
      if (typeof child === "object" && child !== null) {
        pending.push({ value: child, depth: item.depth + 1 });
      }
    }
  }
  return false;
}
