import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { archStats, parseArch } from '@fbnas/search-space';
import { loadPredictor } from '@fbnas/predictor';
import { run } from './cliHarness';
import { isPipelineError, searchFbnetV3, type SearchFbnetV3Result } from '../src';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fbnas-v3-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A tiny budget: 30 images per class, a pool of 40 pairs, 5 candidates trained for 2 steps an epoch.
const tiny = {
  limitPerClass: 30,
  constraints: [4, 12],
  cio: { poolSize: 40, fullEpochs: 2, iterations: 2, firstBatch: 3, batchSize: 2, limitPerClass: 20, trainBatchSize: 32, maxStepsPerEpoch: 2, fitEpochs: 20, fineTuneEpochs: 5 },
  evolution: { populationSize: 16, maxGenerations: 5 },
  train: { epochs: 1, maxStepsPerEpoch: 2, batchSize: 32 },
};

describe('fbnas search fbnetv3', () => {
  let first: SearchFbnetV3Result;

  it('runs CIO, one genetic search per budget, trains and exports the deployed member, and prints --json', async () => {
    // the training settings come as --set flags on top of the YAML file (the resolved configuration is `tiny`)
    const config = join(dir, 'v3.yaml');
    writeFileSync(config, stringifyYaml({ ...tiny, train: undefined }));
    const out = join(dir, 'run');
    const sets = ['--set', 'train.epochs=1', '--set', 'train.maxStepsPerEpoch=2', '--set=train.batchSize=32'];
    const r = await run('search', 'fbnetv3', '--out', out, '--config', config, ...sets, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    first = JSON.parse(r.out);
    expect(first.pipeline).toBe('fbnetv3');
    expect(first.cio.evaluations).toBe(5);
    expect(first.cio.earlyStopEpoch).toBeGreaterThanOrEqual(1);
    expect(first.cio.correlationByEpoch).toHaveLength(2);
    expect(first.family.map((f) => f.maxMMacs)).toEqual([4, 12]);
    for (const f of first.family) {
      expect(f.multiplyAdds).toBeLessThanOrEqual(f.maxMMacs * 1e6);
      expect(f.genome).toHaveLength(22 + 8); // architecture genes + recipe genes
      expect(['sgd', 'rmsprop']).toContain(f.recipe.optimizer); // the default recipe space: FBNetV3's optimizers
    }
    expect(first.deployed).toEqual(first.family[1]);
    expect(first.testImages).toBe(300);
    expect(first.measuredLatencyMs).toBeGreaterThan(0);
    expect(first.onnxMaxAbsDiff).toBeLessThan(1e-3);
    for (const f of ['config.json', 'cio-records.json', 'predictor.json', 'family.json', 'arch.json', 'weights.ckpt', 'model.onnx', 'metrics.json', 'report.html']) expect(existsSync(join(out, f))).toBe(true);
    expect(archStats(parseArch(readFileSync(join(out, 'arch.json'), 'utf8'))).macs).toBe(first.deployed.multiplyAdds);
    loadPredictor(readFileSync(join(out, 'predictor.json'), 'utf8')).dispose();

    // the human-readable form lists the family and the files
    const human = await run('search', 'fbnetv3', '--out', out, '--config', config, ...sets, '--resume');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/5 candidates trained; early stop after epoch \d/);
    expect(human.out).toMatch(/ {2}<= 4 M multiply-adds: \d+\.\d\d M, predicted \d+\.\d\d%/);
    expect(human.out).toContain(`report: ${join(out, 'report.html')}`);
  }, 300_000);

  it('a run stopped inside CIO resumes from its records to the same family', async () => {
    const out = join(dir, 'stopped');
    const controller = new AbortController();
    let evaluated = 0;
    const stopped = await searchFbnetV3({
      ...tiny, outDir: out, signal: controller.signal,
      onProgress: (e) => e.type === 'evaluated' && ++evaluated === 2 && controller.abort(),
    }).catch((e: unknown) => e);
    expect((stopped as Error).message).toMatch(/aborted after 2 evaluations/);
    const resumed: string[] = [];
    const r = await searchFbnetV3({ ...tiny, outDir: out, resume: true, onProgress: (e) => e.type === 'evaluated' && resumed.push(e.record.genome.join()) });
    expect(resumed).toHaveLength(3); // only the three not yet trained
    expect(r.family.map((f) => f.genome)).toEqual(first.family.map((f) => f.genome));
    expect(r.testAccuracy).toBe(first.testAccuracy);
  }, 300_000);

  it('trains the deployed member on the training and validation splits together when asked', async () => {
    // 30 images per class in each split; batch 100 without a step cap: 3 steps an epoch on train, 6 on train+val
    const steps = new Set<number>();
    const r = await searchFbnetV3({
      ...tiny, outDir: join(dir, 'train+val'), finalTrainSplit: 'train+val', train: { epochs: 1, batchSize: 100 },
      onProgress: (e) => e.type === 'train-step' && steps.add(e.steps),
    });
    expect([...steps]).toEqual([6]);
    expect(r.trainSteps).toBe(6);
    expect(r.valAccuracy).toBeNull();
    expect(r.testImages).toBe(300); // the test split is untouched
    expect(r.deployed.genome).toEqual(first.deployed.genome); // the search itself does not see the option
    expect(JSON.parse(readFileSync(join(dir, 'train+val', 'config.json'), 'utf8')).finalTrainSplit).toBe('train+val');
  }, 300_000);

  it('writes an FBNetV3 report whose plots headless Chromium draws', async () => {
    const r = await run('report', join(dir, 'run'), '--json');
    expect(r.code).toBe(0);
    const path = JSON.parse(r.out).report;
    const chrome = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${path}`], { encoding: 'utf8', timeout: 90_000 });
    if (chrome.error) throw new Error(`headless Chromium is needed for this test (Debian: apt-get install chromium; .ci/run installs it): ${chrome.error.message}`);
    const dom = chrome.stdout;
    expect(dom).toMatch(/<body[^>]*data-rendered="true"/);
    expect(dom).toContain('<h1>FBNetV3 search on fashion-mnist</h1>');
    for (const id of ['curves', 'family', 'network']) expect(dom).toContain(`data-plot="${id}"`);
    expect((dom.match(/class="series"/g) ?? []).length).toBe(5); // one learning curve per trained candidate
    expect((dom.match(/class="point member"/g) ?? []).length).toBe(2);
    expect(dom).toMatch(/class="early-stop"/);
  }, 120_000);

  it('validates its configuration and refuses a run directory of another configuration', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'constraints: []\ncio:\n  firstBatch: 2\nevolution: { populationSize: 0 }\nrecipe: { learningRate: [0.1, 0.2, 0.3] }\n');
    const r = await run('search', 'fbnetv3', '--out', join(dir, 'x'), '--config', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('bad.yaml is invalid: constraints must hold at least 1 item(s), got 0; cio.firstBatch must be an integer >= 3, got 2; evolution.populationSize must be an integer >= 2, got 0; recipe.learningRate must hold at most 2 item(s), got 3');
    expect((await run('search', 'fbnetv3', '--out', join(dir, 'x'), '--constraints', '3,-1')).err).toMatch(/--constraints must be comma-separated positive numbers, got "3,-1"/);
    const deploy = await searchFbnetV3({ ...tiny, outDir: join(dir, 'x'), deploy: 2 }).catch((e: unknown) => e);
    expect(isPipelineError(deploy) && deploy.message).toMatch(/config\.deploy must index config\.constraints \(0\.\.1\), got 2/);
    const split = await searchFbnetV3({ ...tiny, outDir: join(dir, 'x'), finalTrainSplit: 'val' as 'train' }).catch((e: unknown) => e);
    expect(isPipelineError(split) && split.message).toBe('fbnas.searchFbnetV3: config is invalid: finalTrainSplit must be one of "train", "train+val", got "val"');
    const other = await searchFbnetV3({ ...tiny, outDir: join(dir, 'run'), seed: 5, resume: true }).catch((e: unknown) => e);
    expect(isPipelineError(other) && other.code).toBe('MISMATCH');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
