module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // Tests that need a tool on the machine (python3, pytest, cfn-lint) are
    // declared with `it` or `it.skip` chosen at load time.
    'jest/no-standalone-expect': [
      'error',
      { additionalTestBlockFunctions: ['ifPython', 'ifPytest', 'ifCfnLint'] },
    ],
  },
});
