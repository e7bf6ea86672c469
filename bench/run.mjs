// Entry point of `npm run bench`: loads the TypeScript suite through Vite's module runner (so
// WGSL `?raw` and JSON imports work exactly as in the browser build), then runs the command line.
import { createServer, createServerModuleRunner } from 'vite';

const server = await createServer({
  appType: 'custom',
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
try {
  const cli = await runner.import('/bench/cli.ts');
  process.exitCode = await cli.main(process.argv.slice(2));
} finally {
  await runner.close();
  await server.close();
}
