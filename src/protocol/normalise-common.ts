import { isJsonObject, type JsonObject, ownString } from "./notification-fields.js";
import type {
  Notification,
  NotificationKind,
  NotificationNode,
  NotificationRoom,
  Severity,
} from "./notification-types.js";

/** A notification with the fields every kind shares filled in and the rest empty. */
export function baseNotification(
  kind: NotificationKind,
  body: JsonObject,
  severity: Severity,
): Notification {
  return {
    kind,
    severity,
    message: ownString(body, "message") ?? "",
    title: ownString(body, "title"),
    host: null,
    nodes: [],
    alertName: null,
    chart: null,
    context: null,
    space: null,
    rooms: [],
    url: null,
    occurredAt: null,
    token: null,
    original: body,
  };
}

/** A room list from either historical shape: a name->url map, or a list of {name, url}. */
export function normaliseRooms(value: unknown): NotificationRoom[] {
  if (Array.isArray(value)) {
    return value.filter(isJsonObject).flatMap((room) => {
      const name = ownString(room, "name");
      return name === null ? [] : [{ name, url: ownString(room, "url") }];
    });
  }
  if (!isJsonObject(value)) return [];
  return Object.entries(value).map(([name, url]) => ({
    name,
    url: typeof url === "string" ? url : null,
  }));
}

/** Node entries ({id, hostname}) from a list; entries without a hostname are skipped. */
export function normaliseNodes(value: unknown): NotificationNode[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).flatMap((node) => {
    const hostname = ownString(node, "hostname");
    return hostname === null ? [] : [{ id: ownString(node, "id"), hostname }];
  });
}

/** The display name of a nested `space` object: its name, else its slug. */
export function spaceName(space: JsonObject | null): string | null {
  if (space === null) return null;
  return ownString(space, "name") ?? ownString(space, "slug");
}
