/**
 * The import-cycle check of `npm test` (`npm run lint:cycles`): no module of the package may
 * reach itself again at run time. It reads the compiled dist/ (one module per file of src/):
 * the compiler has erased type-only imports there, which cannot form a cycle at run time,
 * and TypeScript 7 has no JavaScript API a checker could parse src/ with.
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "An import cycle: split the shared part into a leaf module both can import. Type-only imports are erased by the compiler, so they cannot form a cycle at run time.",
      from: { path: "^dist" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
  },
};
