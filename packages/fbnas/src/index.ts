// The umbrella package re-exports its members and adds the end-to-end pipelines (and the CLI, in src/cli).
export * from '@fbnas/search-space';
export * from '@fbnas/nn';
export * from '@fbnas/export-onnx';
export * from '@fbnas/latency-model';
export * from '@fbnas/dnas';
export * from '@fbnas/evolution';
export * from '@fbnas/multitask';
export * from '@fbnas/predictor';
// End-to-end pipelines.
export { searchFbnet, SEARCH_FBNET_DEFAULTS } from './pipelines/searchFbnet';
export type { FbnetModelSettings, FbnetSearchSettings, FbnetTrainSettings, FinalTrainSplit, SearchFbnetConfig, SearchFbnetProgress, SearchFbnetResult, SearchFbnetStage } from './pipelines/searchFbnet';
export { PipelineError, isPipelineError } from './pipelines/errors';
export { renderRunReport, runReportData, writeRunReport } from './pipelines/runReport';
export type { PipelineErrorCode } from './pipelines/errors';
export { configErrors, parseConfigText, toJsonSchema, validateConfig } from './pipelines/configSchema';
export type { ConfigSchema } from './pipelines/configSchema';
export { SEARCH_FBNET_CONFIG_SCHEMA, SEARCH_FBNETV3_CONFIG_SCHEMA, TRAIN_SETTINGS_SCHEMA } from './pipelines/schemas';
export { searchFbnetV3, SEARCH_FBNETV3_DEFAULTS } from './pipelines/searchFbnetV3';
export { searchMultitaskRun } from './pipelines/searchMultitaskRun';
export type { MultitaskRunTask, SearchMultitaskRunConfig, SearchMultitaskRunResult } from './pipelines/searchMultitaskRun';
export type { FbnetV3CioSettings, FbnetV3EvolutionSettings, FbnetV3FamilyMember, SearchFbnetV3Config, SearchFbnetV3Progress, SearchFbnetV3Result, SearchFbnetV3Stage } from './pipelines/searchFbnetV3';
export { fbnetV3ReportData, renderFbnetV3Report } from './pipelines/runReportV3';
