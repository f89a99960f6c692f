/**
 * The import rules of the framework, checked by `npm run check:imports` (and by CI):
 * no import circles in the framework (type-only imports included), and the framework never imports the
 * application that is built on it. Rooms of `framework/` reach each other through their `index.ts`.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        "An import circle in the framework, even of types only, makes a room impossible to read or lift out alone. " +
        "(Two app models that relate to each other import each other by design: relations name their target lazily.)",
      from: { path: '^framework/' },
      to: { circular: true },
    },
    {
      name: 'framework-not-to-app',
      severity: 'error',
      comment: 'The arrow points from the application to the framework, never back (ARCHITECTURE.md).',
      from: { path: '^framework/' },
      to: { path: '^(app|config|db|views|bench|test)/|^server\\.ts$' },
    },
    {
      name: 'rooms-through-their-face',
      severity: 'error',
      comment: "A room imports another room's index.ts, not the files behind it.",
      from: { path: '^framework/([^/]+)/' },
      to: { path: '^framework/([^/]+)/.+', pathNot: ['^framework/$1/', '^framework/[^/]+/index\\.ts$'] },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API: swc parses, and sees `import type` too.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules|^dist/' },
  },
};
