export { SearchSpaceError, isSearchSpaceError } from './errors';
export type { SearchSpaceErrorCode } from './errors';
export { ACTIVATIONS, ARCH_FORMAT, BLOCK_OPS, SE_GATES } from './contract';
export type { Activation, BlockOp, SeGate } from './contract';
export { createRng } from './rng/createRng';
export type { Rng, RngState } from './rng/createRng';

export type { Arch, ArchRules, Block, ConvBlock, FcBlock, IrBlock, IrPoolBlock, PoolBlock, SkipBlock, SqueezeExcite } from './arch/types';
export { archJsonSchema } from './arch/archSchema';
export { parseArch, serializeArch } from './arch/parseArch';
export { assignStages, canonicalizeArch, withBlockDefaults, withDefaultRules } from './arch/canonicalize';
export { makeDivisible } from './arch/makeDivisible';

export type { BnParamCounting, LayerCost, TensorShape } from './blocks/convCost';
export { convOutputSize } from './blocks/convCost';
export type { ConvLayerSpec } from './blocks/convLayerSpec';
export { blockCost } from './blocks/blockCost';
export { irBlockLayout } from './blocks/irBlockLayout';
export type { IrLayout } from './blocks/irBlockLayout';
export { irPoolLayout } from './blocks/irPoolCost';
export { isIdentitySkip } from './blocks/skipCost';
export { archStats } from './stats/archStats';
export type { ArchStats, ArchStatsOptions, LayerStats } from './stats/archStats';

export { fromArchDef, toArchDef } from './interop/archDef';
export type { MobileVisionArchDef } from './interop/archDef';
export { formatMobileVisionOpName, parseMobileVisionOpName } from './interop/mobileVisionOpName';
export type { MobileVisionOp } from './interop/mobileVisionOpName';
export { fromHwNasBenchFbnet, hwNasBenchFbnetSpace, toHwNasBenchFbnet } from './interop/hwNasBench';
export type { HwNasBenchDataset } from './interop/hwNasBench';

export { getZooArch, getZooReference, listZooArchs, ZOO_REFERENCES } from './zoo/zoo';
export type { ZooReference } from './zoo/zoo';

export type { ArchSpace, CategoricalDimension, Dimension, FloatDimension, Genome, GenomeConstraint, IntDimension, SearchSpace } from './space/types';
export { dimensionSize, genomeValues, isValidGenome, spaceSizeLog10, validateGenome } from './space/validateGenome';
export { unitToGene, unitToGenome } from './space/unitToGenome';
export { sampleGenome, sampleUniform } from './space/sampleUniform';
export type { SampleOptions } from './space/sampleUniform';
export { createSobol, SOBOL_MAX_DIMENSIONS } from './space/sobol';
export type { SobolSequence } from './space/sobol';
export { sampleSobol } from './space/sampleSobol';
export type { SobolSampleOptions } from './space/sampleSobol';
export { decodeEncoding, encodeGenome, encodingLength } from './space/encodeGenome';
export { mutateGenome } from './space/mutateGenome';
export type { MutateOptions } from './space/mutateGenome';
export { crossoverGenomes } from './space/crossoverGenomes';
export { macsConstraint } from './space/macsConstraint';

export { createLayerwiseSpace } from './spaces/layerwiseSpace';
export type { CandidateSpec, LayerSpec, LayerwiseSpace, LayerwiseSpaceConfig } from './spaces/layerwiseSpace';
export { FBNET_CANDIDATES, FBNET_PAPER_RULES, FBNET28_STAGE_CHANNELS, fbnet28Space, fbnetCifarSpace, fbnetImageNetSpace } from './spaces/fbnetSpaces';
export { FBNETV3_STAGE_RANGES, fbnetV3Space, jointSpace, recipeSpace } from './spaces/fbnetV3Space';
export type { FbnetV3StageRange, RecipeSpaceOptions, TrainingRecipe } from './spaces/fbnetV3Space';
export { NB201_OPS, NB_MACRO_OPS, nasBench201PathEncoding, nasBench201Space, nasBenchMacroSpace } from './spaces/benchmarkSpaces';
export type { BenchmarkSpace } from './spaces/benchmarkSpaces';
