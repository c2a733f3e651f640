import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractSnippets, runSnippet } from './docsSnippets';
import { configErrors, parseConfigText, SEARCH_FBNET_CONFIG_SCHEMA, SEARCH_FBNETV3_CONFIG_SCHEMA } from '../src';

const docsDir = join(__dirname, '..', '..', '..', 'docs');
const cases = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .flatMap((file) => extractSnippets(readFileSync(join(docsDir, file), 'utf8')).map((s) => [`${file}:${s.line}`, s.code] as const));
// ```yaml blocks are configuration files; their first line names the file (`# fbnetv3-....yaml` for FBNetV3)
const configs: Array<readonly [string, string]> = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .flatMap((file) => extractSnippets(readFileSync(join(docsDir, file), 'utf8'), 'yaml').map((s): readonly [string, string] => [`${file}:${s.line}`, s.code]))
  // the recipes under docs/recipes are configuration files too
  .concat(readdirSync(join(docsDir, 'recipes')).map((file): readonly [string, string] => [`recipes/${file}`, readFileSync(join(docsDir, 'recipes', file), 'utf8')]));

describe('docs code blocks', () => {
  it('exist', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('fail when an assertion inside them fails', async () => {
    const [bad] = extractSnippets("```ts\nimport assert from 'node:assert/strict';\nawait Promise.resolve();\nassert.equal(1, 2);\n```\n");
    await expect(runSnippet(bad.code, require)).rejects.toThrow(/Expected values to be strictly equal/);
  });

  it.each(configs)('%s is a valid configuration file', (_where, text) => {
    const name = /^# (\S+\.ya?ml)/.exec(text)?.[1];
    expect(name).toBeDefined();
    const schema = name?.startsWith('fbnetv3') ? SEARCH_FBNETV3_CONFIG_SCHEMA : SEARCH_FBNET_CONFIG_SCHEMA;
    expect(configErrors(schema, parseConfigText(text, name ?? 'x.yaml', 'docs'))).toEqual([]);
  });

  it.each(cases)('%s runs', async (_where, code) => {
    await runSnippet(code, require);
  }, 120_000);
});
