module.exports = { ...require('../jest.preset.cjs'), displayName: 'tools', testMatch: ['<rootDir>/test/**/*.test.ts'] };
