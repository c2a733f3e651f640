module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'fbnas',
  // the docs examples run onnxruntime-node, which hands back host-realm typed arrays
  testEnvironment: require.resolve('../../tools/jest/hostTypedArraysEnvironment.cjs'),
};
