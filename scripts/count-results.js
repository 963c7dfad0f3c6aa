// Prints the plain last line CI reads, `N passed, N failed`, from jest's and Playwright's JSON results and the
// named checks of scripts/adopter-test.sh.
// A suite that failed to run (jest: a test file that did not compile) counts as a failure, so a run that
// executed nothing cannot pass unnoticed.
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
let passed = 0;
let failed = 0;

const jestFile = path.join(dir, 'jest.json');
if (fs.existsSync(jestFile)) {
  const jest = JSON.parse(fs.readFileSync(jestFile, 'utf8'));
  passed += jest.numPassedTests;
  failed += jest.numFailedTests + jest.numRuntimeErrorTestSuites;
} else {
  console.log('jest wrote no results');
  failed += 1;
}

const e2eFile = path.join(dir, 'e2e.json');
if (fs.existsSync(e2eFile)) {
  const e2e = JSON.parse(fs.readFileSync(e2eFile, 'utf8'));
  // expected = passed (after retries), unexpected = failed, flaky = passed on retry.
  passed += (e2e.stats.expected || 0) + (e2e.stats.flaky || 0);
  failed += e2e.stats.unexpected || 0;
  // Errors outside any test (the portal did not start, a spec did not compile) fail the run too:
  // Playwright then reports 0 unexpected tests, which would otherwise read as a pass.
  const globalErrors = (e2e.errors || []).length;
  if (globalErrors > 0) {
    console.log(`browser tests: ${globalErrors} error(s) outside any test`);
    failed += globalErrors;
  }
} else if (process.env.SKIP_E2E !== '1') {
  console.log('Playwright wrote no results');
  failed += 1;
}

// Named checks of the scripts that are not test runners (scripts/check-packed.js, scripts/adopter-test.sh):
// {checks: [{name, ok, detail}]} in *.checks.json.
for (const file of fs
  .readdirSync(dir)
  .filter(f => f.endsWith('.checks.json'))
  .sort()) {
  const { checks = [] } = JSON.parse(
    fs.readFileSync(path.join(dir, file), 'utf8'),
  );
  for (const c of checks) {
    if (c.ok) passed += 1;
    else {
      failed += 1;
      console.log(
        `${file}: failed: ${c.name}${
          c.detail ? ` (${c.detail.slice(0, 300)})` : ''
        }`,
      );
    }
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
