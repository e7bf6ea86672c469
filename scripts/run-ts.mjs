// Runs a TypeScript module of this repo in Node through Vite's module runner, so WGSL `?raw`
// and JSON imports work exactly as in the browser build: `node scripts/run-ts.mjs FILE args`.
// FILE exports `main(argv): Promise<number>`, whose result becomes the exit code.
import { createServer, createServerModuleRunner } from 'vite';

const [file, ...argv] = process.argv.slice(2);
const server = await createServer({
  appType: 'custom',
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
try {
  const module = await runner.import('/' + file.replace(/^\.?\//, ''));
  process.exitCode = await module.main(argv);
} finally {
  await runner.close();
  await server.close();
}
