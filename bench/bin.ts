#!/usr/bin/env node
// `npx gpugrad-bench`: the command line of the installed package (built to dist/bench-cli.js,
// package.json's bin). The same main() as `npm run bench` in the repository.
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
