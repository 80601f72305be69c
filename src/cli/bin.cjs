#!/usr/bin/env node
// The gan-workbench program (package.json "bin"). The CLI is TypeScript run from source through
// tsx, as the npm scripts run it, so it needs the package's dev dependencies (npm install) and
// the Node that better-sqlite3 was built for (npm scripts put the package's own Node 24 first on PATH).
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher: require is how it loads tsx, then the CLI */
const { join } = require('node:path')

// tsx resolves @shared/* with the repository's tsconfig, wherever the program is started from.
process.env.TSX_TSCONFIG_PATH = join(__dirname, '../../tsconfig.json')
require('tsx/cjs/api').register()
require('./index.ts').main()
