// Resolves the `@ixr/*` aliases of tsconfig.json in the compiled output (dist/).
const path = require('node:path');
require('tsconfig-paths').register({
  baseUrl: path.join(__dirname, '..', 'dist'),
  paths: { '@ixr/*': ['libs/*/src'] },
});
