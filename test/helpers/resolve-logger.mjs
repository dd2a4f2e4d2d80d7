// A module-resolution hook that reports every resolved URL on stderr, so a test can see
// which modules a CLI invocation really loads.
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  console.error(`resolved ${result.url}`);
  return result;
}
