export { PredictorError, isPredictorError } from './errors';
export type { PredictorErrorCode } from './errors';
export { kendallTau, precisionAtK, ranks, rmse, spearmanRho } from './rankingMetrics';
export { AccuracyPredictor, createAccuracyPredictor, loadPredictor } from './accuracyPredictor';
export type { PredictorConfig, PredictorFitOptions, PredictorJson, PredictorTrainOptions } from './accuracyPredictor';
export { constrainedIterativeOptimization } from './constrainedIterativeOptimization';
export type { CioEvaluationRequest, CioEvaluator, CioOptions, CioRecord, CioResult } from './constrainedIterativeOptimization';
export { mnistEvaluator, recipeSettings } from './mnistEvaluator';
export type { MnistEvaluatorOptions } from './mnistEvaluator';
