module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // Table-driven tests assert through helpers named expect<What>().
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expect*'] },
    ],
  },
});
