// The umbrella package only re-exports its members (plus the CLI, which lives in src/cli).
export * from '@fbnas/search-space';
export * from '@fbnas/nn';
export * from '@fbnas/export-onnx';
export * from '@fbnas/latency-model';
