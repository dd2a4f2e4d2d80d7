/**
 * The three Reflect metadata functions that tsyringe (a dependency of @peculiar/x509) insists
 * on finding at import time. It only uses them to record constructor parameter types, so a
 * WeakMap is all that is needed; installed only when no real polyfill (reflect-metadata) is
 * present. Import `./_x509.js`, never `@peculiar/x509` directly, so this runs first.
 */
type MetadataKey = unknown;
type Target = object;

const store = new WeakMap<Target, Map<string | symbol | undefined, Map<MetadataKey, unknown>>>();

function own(target: Target, property: string | symbol | undefined, create: boolean) {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let byKey = byProperty.get(property);
  if (!byKey && create) {
    byKey = new Map();
    byProperty.set(property, byKey);
  }
  return byKey;
}

const polyfill = {
  defineMetadata(key: MetadataKey, value: unknown, target: Target, property?: string | symbol) {
    own(target, property, true)?.set(key, value);
  },
  getOwnMetadata(key: MetadataKey, target: Target, property?: string | symbol): unknown {
    return own(target, property, false)?.get(key);
  },
  getMetadata(key: MetadataKey, target: Target, property?: string | symbol): unknown {
    for (let t: Target | null = target; t; t = Object.getPrototypeOf(t)) {
      const byKey = own(t, property, false);
      if (byKey?.has(key)) return byKey.get(key);
    }
    return undefined;
  },
};

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== "function") {
  for (const [name, fn] of Object.entries(polyfill)) {
    Object.defineProperty(Reflect, name, { value: fn, writable: true, configurable: true });
  }
}
