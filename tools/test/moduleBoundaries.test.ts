import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The dependency direction of the house style is enforced by the lint, not by convention: these run the
// real workspace ESLint config on virtual files placed inside packages.
const root = join(__dirname, '..', '..');
const eslintBin = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

async function ruleIdsFor(code: string, file: string): Promise<string[]> {
  const run = spawnSync(process.execPath, [eslintBin, '--stdin', '--stdin-filename', join(root, file), '--format', 'json'], {
    cwd: root,
    input: code,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('module boundaries', () => {
  it('forbid @fbnas/search-space from importing the umbrella', async () => {
    const ids = await ruleIdsFor("import { parseArch } from 'fbnas';\nexport const p = parseArch;\n", 'packages/search-space/src/virtual.ts');
    expect(ids).toContain('@nx/enforce-module-boundaries');
  }, 60_000);

  it('allow the umbrella to import @fbnas/search-space', async () => {
    const ids = await ruleIdsFor("import { parseArch } from '@fbnas/search-space';\nexport const p = parseArch;\n", 'packages/fbnas/src/virtual.ts');
    expect(ids).toEqual([]);
  }, 60_000);

  it('forbid Math.random and default exports in library code', async () => {
    const ids = await ruleIdsFor('export default function f() {\n  return Math.random();\n}\n', 'packages/search-space/src/virtual.ts');
    expect(ids.filter((id) => id === 'no-restricted-syntax')).toHaveLength(2);
  }, 60_000);
});
