// Layer rules from ../shared/notes/architecture.md. `npm run deps` fails on any violation.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'src-not-to-test', severity: 'error', from: { path: '^src/' }, to: { path: '^test/' } },
    {
      name: 'pure-layers-stay-pure',
      comment: 'identity, crypto and protocol import nothing above them and no sockets or UI.',
      severity: 'error',
      from: { path: '^src/(identity|crypto|protocol)/' },
      to: {
        path: [
          '^src/(discovery|transport|connection|core|store|ui|cli)/',
          '^(node:)?(net|dgram|tls|http|https)$',
          'multicast-dns',
          'blessed',
          'better-sqlite3',
        ],
      },
    },
    {
      name: 'commands-are-pure',
      comment: 'src/commands parses what a person or a script types, for the UI and the CLI alike: pure, above protocol and identity only.',
      severity: 'error',
      from: { path: '^src/commands/' },
      to: { path: ['^src/(discovery|transport|connection|core|store|ui|cli|files|crypto)/', '^(node:)?(net|dgram|tls|http|https|fs)$'] },
    },
    {
      name: 'core-sees-interfaces-only',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        path: [
          '^(node:)?(net|dgram|tls|http|https)$',
          'multicast-dns',
          'blessed',
          'better-sqlite3',
          '^src/(ui|cli)/',
          '^src/discovery/(?!discovery\\.ts$)',
          '^src/transport/(?!transport\\.ts$)',
          '^src/store/(?!store\\.ts$)',
          '^src/files/',
          '^(node:)?fs(/promises)?$',
        ],
      },
    },
    {
      name: 'file-adapter-sees-core-interfaces-only',
      comment: 'src/files implements core/files/file-access.ts with node:fs; it imports no other core.',
      severity: 'error',
      from: { path: '^src/files/' },
      to: { path: ['^src/(ui|cli|transport|discovery|store|connection)/', '^src/core/(?!files/file-access\\.ts$)'] },
    },
    {
      name: 'adapters-stay-below-core',
      severity: 'error',
      from: { path: '^src/(transport|discovery|store)/' },
      to: { path: '^src/(core|ui|cli)/' },
    },
    {
      name: 'blessed-only-in-ui-blessed',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/ui/blessed/' },
      to: { path: 'blessed' , pathNot: '^src/'},
    },
    {
      name: 'ui-sees-core-api-only',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: ['^src/(transport|discovery|store|connection|cli)/', 'multicast-dns', 'better-sqlite3', '^(node:)?(net|dgram)$'] },
    },
    {
      name: 'ui-model-is-pure',
      severity: 'error',
      from: { path: '^src/ui/model/' },
      to: { path: ['^src/ui/blessed/', 'blessed'] },
    },
    {
      name: 'only-cli-names-adapters',
      comment: 'Concrete adapters are wired in the composition root (src/cli) only.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/(transport|discovery|store|files)/'] },
      to: {
        path: [
          '^src/transport/(?!transport\\.ts$)',
          '^src/discovery/(?!discovery\\.ts$)',
          '^src/store/(?!store\\.ts$)',
          '^src/files/',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '^dist/' },
  },
};
