module.exports = { ...require('../../jest.preset.cjs'), displayName: 'latency-model' };
