import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { KERNELS_WASM_BASE64 } from '../src/kernels/kernelsWasm.generated';

describe('the generated kernel module', () => {
  it('is the current build of assembly/kernels.ts (run node scripts/build-kernels.mjs after editing it)', () => {
    const run = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-kernels.mjs'), '--check'], { encoding: 'utf8' });
    expect(run.stderr + run.stdout).toMatch(/up to date/);
    expect(run.status).toBe(0);
  }, 60_000);

  it('imports only memory and owns no data', () => {
    const module = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(
      expect.arrayContaining(['depthwiseBackpropFilter', 'depthwiseBackpropInput', 'conv2dBackpropFilter', 'conv1x1BackpropFilter', 'bnTrainForward', 'bnTrainBackward']),
    );
  });
});
