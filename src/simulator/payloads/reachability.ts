import type { World } from "./world.js";

function nodeUrl(world: World): string {
  const room = world.rooms[0]?.slug ?? "all-nodes";
  return `https://app.netdata.cloud/spaces/${world.space.slug}/rooms/${room}/nodes/${world.nodeId}`;
}

/** The documented flat reachability notification (since 2024-03). */
export function reachabilityFlat(world: World, reachable: boolean): Record<string, unknown> {
  return {
    message: `${world.space.name}/${world.host} is ${reachable ? "reachable again" : "unreachable"}`,
    url: nodeUrl(world),
    host: world.host,
    severity: reachable ? "info" : "critical",
    status: { reachable, text: reachable ? "reachable" : "unreachable" },
  };
}

/** The nested reachability notification captured in 2026-04: `status` is a string. */
export function reachabilityNested(world: World, reachable: boolean): Record<string, unknown> {
  return {
    message: `${world.space.name}/${world.host} is ${reachable ? "reachable again" : "unreachable"}`,
    space: {
      ...world.space,
      nodes_stats: {
        total: 44,
        live: reachable ? 44 : 43,
        offline: 0,
        created: 0,
        removed: 0,
        stale: reachable ? 0 : 1,
      },
    },
    centralisation_point: world.centralisationPoint,
    nodes: [{ id: world.nodeId, hostname: world.host }],
    severity: reachable ? "info" : "critical",
    status: reachable ? "reachable" : "unreachable",
    reachable,
    url: nodeUrl(world),
  };
}
