module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'dnas',
  // the search reads onnxruntime-node LUTs through @fbnas/latency-model
  testEnvironment: require.resolve('../../tools/jest/hostTypedArraysEnvironment.cjs'),
};
