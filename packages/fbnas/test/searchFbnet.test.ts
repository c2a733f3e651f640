import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archStats, fbnet28Space, parseArch } from '@fbnas/search-space';
import { sampleArchitectures } from '@fbnas/dnas';
import { loadLatencyLut } from '@fbnas/latency-model';
import { readCheckpoint } from '@fbnas/nn';
import { readOnnxMetadata } from '@fbnas/export-onnx';
import { stringify as stringifyYaml } from 'yaml';
import { run } from './cliHarness';
import { isPipelineError, runReportData, searchFbnet } from '../src';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fbnas-search-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A tiny budget: 30 images per class, 2 search epochs of 2 steps, 2 training steps.
const tiny = { limitPerClass: 30, search: { epochs: 2, warmupEpochs: 1, maxStepsPerEpoch: 2, batchSize: 32 }, train: { epochs: 1, maxStepsPerEpoch: 2, batchSize: 32 }, samples: 3 };

describe('fbnas search fbnet', () => {
  it('runs the pipeline end to end, writes the run directory, prints --json, and resumes a finished run', async () => {
    // the configuration file is YAML (JSON works the same)
    const config = join(dir, 'config.yaml');
    writeFileSync(config, stringifyYaml(tiny));
    const out = join(dir, 'run');
    const first = await run('search', 'fbnet', '--out', out, '--config', config, '--json');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.out);
    expect(Object.keys(result).sort()).toEqual(
      ['candidates', 'costMetric', 'costUnit', 'dataset', 'files', 'genome', 'measuredLatencyMs', 'multiplyAdds', 'onnxMaxAbsDiff', 'outDir', 'params', 'predictedCost', 'seconds', 'testAccuracy', 'testImages', 'trainEpochs', 'trainSteps', 'valAccuracy'].sort(),
    );
    expect(result.genome).toHaveLength(22);
    expect(result.costMetric).toBe('onnxruntime-node_latency');
    expect(result.testImages).toBe(300);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(result.measuredLatencyMs).toBeGreaterThan(0);
    expect(result.onnxMaxAbsDiff).toBeLessThan(1e-3);
    for (const f of ['config.json', 'lut.json', 'theta-history.json', 'architectures.json', 'arch.json', 'weights.ckpt', 'model.onnx', 'metrics.json', 'search.ckpt', 'report.html']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    const lut = loadLatencyLut(join(out, 'lut.json'));
    expect(Object.keys(lut.entries).length).toBe(94);
    // measured in 30 interleaved rounds of 20 runs (the pipeline's default)
    for (const e of Object.values(lut.entries)) expect(e.samples).toBe(600);
    expect(parseArch(readFileSync(join(out, 'arch.json'), 'utf8')).blocks).toHaveLength(26);
    const meta = readOnnxMetadata(new Uint8Array(readFileSync(join(out, 'model.onnx'))));
    expect(parseArch(meta[Object.keys(meta).find((k) => k.includes('arch')) ?? '']).name).toBe('fbnet-fashion-mnist-searched');
    const history = JSON.parse(readFileSync(join(out, 'theta-history.json'), 'utf8'));
    expect(history.history).toHaveLength(2);
    expect(history.theta).toHaveLength(22);
    const archs = JSON.parse(readFileSync(join(out, 'architectures.json'), 'utf8'));
    expect(archs[0].source).toBe('argmax');
    expect(archs[0].genome).toEqual(result.genome);

    // a finished run resumes instantly to the same result
    const again = await run('search', 'fbnet', '--out', out, '--config', config, '--resume', '--json');
    expect(again.code).toBe(0);
    const second = JSON.parse(again.out);
    expect(second.genome).toEqual(result.genome);
    expect(second.testAccuracy).toBe(result.testAccuracy);
    expect(second.seconds.search).toBe(0);

    // the human-readable form names the architecture, accuracy, latency and files
    const human = await run('search', 'fbnet', '--out', out, '--config', config, '--resume');
    expect(human.out).toMatch(/architecture \(22 searched layers\): /);
    expect(human.out).toMatch(/test accuracy \d+\.\d\d% \(fashion-mnist test split, 300 images\).*; 1 training epoch \(\d+ steps?\)$/m);
    expect(human.out).toMatch(/latency \d+\.\d+ ms measured in onnxruntime-node/);
    expect(human.out).toContain(join(out, 'model.onnx'));
    expect(human.out).toContain(`report: ${join(out, 'report.html')}`);
  }, 300_000);

  it('writes a self-contained report.html whose plots headless Chromium draws', async () => {
    const out = join(dir, 'run');
    const r = await run('report', out, '--json');
    expect(r.code).toBe(0);
    const path = JSON.parse(r.out).report;
    const html = readFileSync(path, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http/); // nothing fetched
    const chrome = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${path}`], { encoding: 'utf8', timeout: 90_000 });
    if (chrome.error) throw new Error(`headless Chromium is needed for this test (Debian: apt-get install chromium; .ci/run installs it): ${chrome.error.message}`);
    expect(chrome.status).toBe(0);
    const dom = chrome.stdout;
    expect(dom).toMatch(/<body[^>]*data-rendered="true"/);
    const count = (re: RegExp) => (dom.match(re) ?? []).length;
    // 2 epochs x 22 layers x 9 candidates
    expect(count(/<rect[^>]*class="cell"/g)).toBe(2 * 22 * 9);
    expect(count(/<polyline[^>]*class="series"/g)).toBe(4);
    expect(count(/<rect[^>]*class="block"/g)).toBe(26);
    expect(count(/<circle[^>]*class="point random"/g)).toBe(200);
    expect(count(/<circle[^>]*class="point chosen"/g)).toBe(1); // the default deploys the argmax
    expect(count(/<polyline[^>]*class="front"/g)).toBe(1);
    expect((await run('report', join(dir, 'nowhere'))).err).toMatch(/metrics.json is missing; is this a finished search run directory\?/);
  }, 120_000);

  it('deploys an architecture drawn from P_theta when asked, trained on two data-parallel workers within a run budget', async () => {
    const out = join(dir, 'sampled');
    const events: Array<{ type: string }> = [];
    // a budget already spent by the search: the training gets the minimum, one epoch of the three allowed
    const r = await searchFbnet({ ...tiny, outDir: out, deploy: 'sample', budgetMinutes: 0.001, train: { ...tiny.train, epochs: 3, workers: 2 }, onProgress: (e) => events.push(e) });
    // the steps taken to time it (the epoch's 2) are the least a budgeted run trains
    expect(r).toMatchObject({ trainEpochs: 1, trainSteps: 2 });
    expect(events.filter((e) => e.type === 'train-budget')).toEqual([expect.objectContaining({ epochs: 1, steps: 2, stepsPerEpoch: 2 })]);
    expect(events.filter((e) => e.type === 'train-epoch')).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).trainEpochs).toBe(1);
    const archs: Array<{ source: string; genome: number[] }> = JSON.parse(readFileSync(join(out, 'architectures.json'), 'utf8'));
    // the first draw of the derive stage's seeded sampler (the argmax itself when the draw equals it)
    const probs = JSON.parse(readFileSync(join(out, 'theta-history.json'), 'utf8')).history.at(-1).probs;
    const [argmax, firstDraw] = sampleArchitectures(fbnet28Space(), probs, { count: 1, seed: 0 });
    expect(r.genome).toEqual((firstDraw ?? argmax).genome);
    expect(archs.some((a) => a.genome.join() === r.genome.join())).toBe(true);
    expect(r.valAccuracy).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).train.workers).toBe(2);
    // the report marks the trained architecture as chosen
    expect(runReportData(out).derived.filter((d) => d.chosen)).toHaveLength(1);
    const err = await searchFbnet({ ...tiny, outDir: join(dir, 'y'), deploy: 'sample', samples: 0 }).catch((e: unknown) => e);
    expect(isPipelineError(err) && err.message).toBe('fbnas.searchFbnet: config.deploy "sample" needs config.samples >= 1, got 0');
  }, 300_000);

  it('trains the final model on the training and validation splits together when asked', async () => {
    const steps = async (finalTrainSplit: 'train' | 'train+val') => {
      const events: Array<{ type: string; steps?: number }> = [];
      // 30 images per class in each split; batch 100: 3 steps an epoch on train, 6 on train+val
      const r = await searchFbnet({
        ...tiny, outDir: join(dir, `split-${finalTrainSplit}`), cost: 'macs', finalTrainSplit,
        train: { epochs: 1, batchSize: 100 }, onProgress: (e) => events.push(e),
      });
      const perEpoch = new Set(events.filter((e) => e.type === 'train-step').map((e) => e.steps));
      return { r, perEpoch: [...perEpoch] };
    };
    const plain = await steps('train');
    expect(plain.perEpoch).toEqual([3]);
    expect(plain.r.valAccuracy).toBeGreaterThanOrEqual(0);
    const merged = await steps('train+val');
    expect(merged.perEpoch).toEqual([6]);
    expect(merged.r.valAccuracy).toBeNull();
    expect(merged.r.testImages).toBe(300); // the test split is untouched
    expect(JSON.parse(readFileSync(join(dir, 'split-train+val', 'config.json'), 'utf8')).finalTrainSplit).toBe('train+val');
    const err = await searchFbnet({ ...tiny, outDir: join(dir, 'z'), finalTrainSplit: 'val' as 'train' }).catch((e: unknown) => e);
    expect(isPipelineError(err) && err.message).toBe('fbnas.searchFbnet: config is invalid: finalTrainSplit must be one of "train", "train+val", got "val"');
  }, 300_000);

  it('builds the trained network with the model options it is given', async () => {
    // one step at a negligible learning rate: the trained weights are still the initial ones
    const gammas = async (name: string, model?: { dropout?: number; zeroInitResidualGamma?: boolean }) => {
      await searchFbnet({ ...tiny, outDir: join(dir, name), cost: 'macs', model, train: { epochs: 1, maxStepsPerEpoch: 1, batchSize: 32, learningRate: 1e-9 } });
      const w = readCheckpoint(join(dir, name, 'weights.ckpt')).groups.weights;
      return Object.keys(w).filter((k) => k.endsWith('.gamma')).map((k) => Math.max(...Array.from(w[k].data, Math.abs)));
    };
    const plain = await gammas('model-default');
    const zeroed = await gammas('model-zero', { dropout: 0, zeroInitResidualGamma: true });
    expect(plain.length).toBe(zeroed.length);
    // the last BN of every residual block starts at 0, and only those
    const arch = parseArch(readFileSync(join(dir, 'model-zero', 'arch.json'), 'utf8'));
    const layers = archStats(arch).layers;
    const residual = arch.blocks.filter((b, i) => b.op === 'ir' && b.stride === 1 && layers[i].input.channels === b.channels).length;
    expect(residual).toBeGreaterThan(0);
    expect(zeroed.filter((g) => g < 1e-6)).toHaveLength(residual);
    expect(zeroed.filter((g) => Math.abs(g - 1) < 1e-6)).toHaveLength(zeroed.length - residual);
    expect(plain.every((g) => Math.abs(g - 1) < 1e-6)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'model-zero', 'config.json'), 'utf8')).model).toEqual({ dropout: 0, zeroInitResidualGamma: true });
    expect(JSON.parse(readFileSync(join(dir, 'model-default', 'config.json'), 'utf8')).model).toEqual({ dropout: 0.1, zeroInitResidualGamma: false });
    const err = await searchFbnet({ ...tiny, outDir: join(dir, 'z'), model: { dropout: 1 } }).catch((e: unknown) => e);
    expect(isPipelineError(err) && err.message).toBe('fbnas.searchFbnet: config is invalid: model.dropout must be a finite number >= 0 and < 1, got 1');
  }, 300_000);

  it('refuses to resume a run directory written with another configuration', async () => {
    const out = join(dir, 'run');
    const err = await searchFbnet({ ...tiny, outDir: out, seed: 7, resume: true }).catch((e: unknown) => e);
    expect(isPipelineError(err) && err.code === 'MISMATCH').toBe(true);
  });

  it('gives usage errors for bad flags and a bad config file', async () => {
    expect((await run('search', 'fbnet')).err).toMatch(/search fbnet needs --out DIR/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    const r = await run('search', 'fbnet', '--out', join(dir, 'x'), '--config', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^fbnas search fbnet --config: .*bad\.json is not valid JSON/);
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(wrong, 'search:\n  epochs: 0\n  mode: fuzzy\ntrian: {}\n');
    const w = await run('search', 'fbnet', '--out', join(dir, 'x'), '--config', wrong);
    expect(w.code).toBe(1);
    expect(w.err).toContain('wrong.yaml is invalid: search.epochs must be an integer >= 1, got 0; search.mode must be one of "hard", "soft", got "fuzzy"; trian is not a known option');
    const set = await run('search', 'fbnet', '--out', join(dir, 'x'), '--config', wrong, '--set', 'search.epochs=3', '--set', 'search.mode=hard', '--set', 'trian=null');
    expect(set.err).toContain('wrong.yaml with --set is invalid: trian is not a known option');
    const only = await run('search', 'fbnet', '--out', join(dir, 'x'), '--set', 'search.costLoss={kind: target}');
    expect(only.err).toContain('--set is invalid: search.costLoss.target is required');
    expect((await run('search', 'fbnet', '--out', join(dir, 'x'), '--set', 'epochs')).err).toMatch(/--set needs path=value \(e\.g\. search\.epochs=12\), got "epochs"/);
    expect((await run('search', 'fbnet', '--out', join(dir, 'x'), '--set', 'seed=1', '--set', 'seed.x=2')).err).toMatch(/--set seed\.x: seed is not an object/);
    expect(existsSync(join(dir, 'x'))).toBe(false); // nothing was started
    // the library validates the same way
    const nan = await searchFbnet({ outDir: join(dir, 'x'), train: { learningRate: Number.NaN } }).catch((e: unknown) => e);
    expect(isPipelineError(nan) && nan.code === 'INVALID_CONFIG' && nan.message).toBe('fbnas.searchFbnet: config is invalid: train.learningRate must be a finite number > 0, got NaN');
    const m = await run('search', 'fbnet', '--out', join(dir, 'x'), '--mode', 'fuzzy');
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/--mode must be one of hard, soft, got "fuzzy"/);
    const b = await run('search', 'fbnet', '--out', join(dir, 'x'), '--budget-minutes', '-5');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--budget-minutes must be a positive number, got "-5"/);
    const bs = await searchFbnet({ outDir: join(dir, 'x'), budgetMinutes: 0 }).catch((e: unknown) => e);
    expect(isPipelineError(bs) && bs.message).toMatch(/config is invalid: budgetMinutes must be a finite number > 0, got 0/);
  });
});
