export { LatencyModelError, isLatencyModelError } from './errors';
export type { LatencyModelErrorCode } from './errors';
export { costOfGenome, expectedCost } from './costTable';
export type { LayerwiseCostTable } from './costTable';
export { expectedCostTf } from './expectedCostTf';
export { HW_NAS_BENCH_METRICS, hwNasBenchCostTable } from './hwNasBenchCostTable';
export type { HwNasBenchMetric } from './hwNasBenchCostTable';
export {
  costTableFromLut,
  diffLatencyLuts,
  LATENCY_LUT_FORMAT,
  latencyLutKey,
  loadLatencyLut,
  lutSignatures,
  mergeLatencyLuts,
  parseLatencyLut,
  saveLatencyLut,
  serializeLatencyLut,
} from './latencyLut';
export type { LatencyLut, LatencyLutEntry, LatencyLutHeader } from './latencyLut';
export { buildLatencyLut, buildOrtLatencyLut, measureOnnxInterleaved, measureOnnxLatency, measureTfjsLatency } from './buildLatencyLut';
export type { BuildLutOptions, BuildOrtLutOptions, InterleavedOptions, LutRuntime, MeasureOnnxOptions } from './buildLatencyLut';
export { importOfaLut } from './importOfaLut';
export type { OfaLutImport, OfaLutImportOptions } from './importOfaLut';
export { calibrateCostTable } from './calibrateCostTable';
export type { CostCalibration, CostMeasurement } from './calibrateCostTable';
export { statCostTable } from './statCostTable';
export { fitFewShotLatency } from './fewShotLatency';
export type { FewShotLatencyModel, FewShotOptions } from './fewShotLatency';
