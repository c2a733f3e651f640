// Root jest config: one run over every package plus the workspace tools (used by `npm test`).
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const projects = readdirSync(join(__dirname, 'packages'))
  .map((dir) => join(__dirname, 'packages', dir, 'jest.config.cjs'))
  .concat(join(__dirname, 'tools', 'jest.config.cjs'))
  .filter((file) => existsSync(file));

module.exports = { projects };
