module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'latency-model',
  // onnxruntime-node hands back host-realm typed arrays
  testEnvironment: require.resolve('../../tools/jest/hostTypedArraysEnvironment.cjs'),
};
