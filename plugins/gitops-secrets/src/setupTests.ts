import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI runs these beside other suites on 2 cores, where the first render of a Backstage test app can take
// several seconds; testing-library's 1 s default for findBy/waitFor then fails tests that are right.
configure({ asyncUtilTimeout: 15_000 });
