import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archJsonSchema, getZooArch, listZooArchs } from '../src';

describe('archJsonSchema', () => {
  it('is the published schema/arch.schema.json', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'arch.schema.json'), 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(archJsonSchema)));
  });

  it('validates every zoo architecture and rejects a misspelled field', () => {
    const validate = new Ajv({ strict: false }).compile(archJsonSchema);
    for (const name of listZooArchs()) expect(validate(getZooArch(name))).toBe(true);
    const bad = structuredClone(getZooArch('fbnet_a')) as unknown as { blocks: Array<Record<string, unknown>> };
    bad.blocks[3].kernal = 3;
    expect(validate(bad)).toBe(false);
  });
});
