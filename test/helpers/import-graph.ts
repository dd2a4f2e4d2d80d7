// The import graph of TypeScript sources, read as text: the project's own style (one
// `import ... from "./x.js"` per statement, relative specifiers ending in .js) makes a
// parser unnecessary, and TypeScript 7 offers no JavaScript API to parse with.

const STATIC_IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/gm;

/** The specifiers a module imports or re-exports statically (type-only ones included). */
export function importsOf(source: string): string[] {
  return [...source.matchAll(STATIC_IMPORT)].map((match) => match[1] as string);
}

/**
 * Every strongly connected group of modules that import each other (Tarjan), each listed
 * from its first module in the graph's order; a module that imports itself counts too.
 */
export function findImportCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    const selfLoop = group.length === 1 && (graph.get(node) ?? []).includes(node);
    if (group.length > 1 || selfLoop) {
      const order = [...graph.keys()];
      cycles.push(group.sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}
