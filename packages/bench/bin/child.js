/*
 * Entry point of the benchmark's child processes (the simulated fleet, the backend under test): loads the Node
 * transform, then the TypeScript module named by the first argument, which runs on import.
 */
require('@backstage/cli/config/nodeTransform.cjs');

require(require('node:path').resolve(__dirname, '..', 'src', process.argv[2]));
