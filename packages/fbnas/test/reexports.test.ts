import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as umbrella from '../src';
import * as searchSpace from '@fbnas/search-space';
import * as nn from '@fbnas/nn';
import * as exportOnnx from '@fbnas/export-onnx';
import * as latencyModel from '@fbnas/latency-model';
import * as dnas from '@fbnas/dnas';
import * as evolution from '@fbnas/evolution';
import * as predictor from '@fbnas/predictor';
import * as multitask from '@fbnas/multitask';

// Every member package, imported by its public name. The last test below fails when a published
// workspace package is missing here.
const MEMBERS: Record<string, Record<string, unknown>> = {
  '@fbnas/search-space': searchSpace,
  '@fbnas/nn': nn,
  '@fbnas/export-onnx': exportOnnx,
  '@fbnas/latency-model': latencyModel,
  '@fbnas/dnas': dnas,
  '@fbnas/evolution': evolution,
  '@fbnas/predictor': predictor,
  '@fbnas/multitask': multitask,
};

const packagesDir = join(__dirname, '..', '..');
const published = readdirSync(packagesDir)
  .map((dir) => JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as { name: string; private?: boolean })
  .filter((p) => p.name.startsWith('@fbnas/') && !p.private)
  .map((p) => p.name)
  .sort();

describe('fbnas umbrella', () => {
  it.each(Object.keys(MEMBERS))('re-exports every export of %s, identically', (name) => {
    const member = MEMBERS[name];
    const missing = Object.keys(member).filter((key) => !(key in umbrella));
    expect(missing).toEqual([]);
    for (const key of Object.keys(member)) expect((umbrella as Record<string, unknown>)[key]).toBe(member[key]);
  });

  it('exports nothing besides its members and its own pipelines', () => {
    const all = new Set(Object.values(MEMBERS).flatMap((m) => Object.keys(m)));
    const own = ['PipelineError', 'SEARCH_FBNETV3_CONFIG_SCHEMA', 'SEARCH_FBNETV3_DEFAULTS', 'SEARCH_FBNET_CONFIG_SCHEMA', 'SEARCH_FBNET_DEFAULTS', 'TRAIN_SETTINGS_SCHEMA', 'configErrors', 'fbnetV3ReportData', 'isPipelineError', 'parseConfigText', 'renderFbnetV3Report', 'renderRunReport', 'runReportData', 'searchFbnet', 'searchFbnetV3', 'searchMultitaskRun', 'toJsonSchema', 'validateConfig', 'writeRunReport'];
    expect(Object.keys(umbrella).filter((key) => !all.has(key)).sort()).toEqual(own);
  });

  it('has every published @fbnas package of the workspace as a member and a dependency', () => {
    expect(Object.keys(MEMBERS).sort()).toEqual(published);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith('@fbnas/')).sort()).toEqual(published);
  });
});
