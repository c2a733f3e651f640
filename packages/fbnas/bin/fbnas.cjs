#!/usr/bin/env node
// The `fbnas` command. The CLI itself is built to dist/cli.cjs; this launcher is checked in so that it exists
// when npm links the command at install time (in a fresh clone, `npm ci` runs before the build, and npm links
// no command whose file is missing: `npx fbnas` would then not be found).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  process.stderr.write('fbnas: the CLI is not built yet: run `npm run build` (or `npm start`) at the repository root first\n');
  process.exit(1);
}
require(cli);
