module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'export-onnx',
  // onnxruntime-node hands back host-realm typed arrays (see the environment file).
  testEnvironment: require.resolve('../../tools/jest/hostTypedArraysEnvironment.cjs'),
};
