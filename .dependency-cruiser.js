/**
 * The direction of dependencies (STYLE "shape of the house"): apps import libs, libs never import
 * apps, apps never import each other, scripts and benchmarks never import apps (only tests do), domain imports nothing of ours, and the pure cores
 * (domain, routing, exchange-log) import no framework, database or Kafka client.
 */
module.exports = {
  forbidden: [
    { name: 'libs-not-apps', severity: 'error', from: { path: '^libs/' }, to: { path: '^apps/' } },
    {
      name: 'libs-not-scripts',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(scripts|test|bench)/' },
    },
    {
      // An app's files are its own: the CLIs (scripts/) and benchmarks (bench/) use what apps share
      // through libs (the exchange log through @ixr/exchange-log-store, statistics and search
      // through @ixr/persistence). test/ may import apps: the end-to-end suites boot app modules.
      name: 'only-tests-import-apps',
      severity: 'error',
      from: { path: '^(scripts|bench)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-not-each-other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'domain-imports-nothing-of-ours',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: '^(libs|apps)/', pathNot: '^libs/domain/' },
    },
    {
      name: 'pure-cores-stay-pure',
      severity: 'error',
      from: { path: '^libs/(domain|routing|exchange-log)/src/' },
      to: { path: 'node_modules/(@nestjs|typeorm|pg|kafkajs|opossum|fastify|pino)/' },
    },
    {
      name: 'pure-cores-only-pure-libs',
      severity: 'error',
      from: { path: '^libs/(routing|exchange-log)/' },
      to: { path: '^libs/', pathNot: '^libs/(domain|routing|exchange-log)/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
