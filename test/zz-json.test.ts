import { it } from 'vitest';
import { resolve } from 'node:path';
import { launchChromium, ROOT, serve } from '/work/main/test/browser/harness.ts';
it.each([[true], [false]])('json namedExports %s', async (namedExports) => {
  const server = await serve({ configFile: resolve(ROOT, 'bench/vite.config.ts'), json: { namedExports } });
  const c = await launchChromium();
  const page = await c.browser.newPage();
  await page.goto(server.url + '?quick=1&experiments=training&steps=1&width=16', { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.state === 'ready', { timeout: 30000 });
  const t = Date.now();
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', { timeout: 300000 });
  console.log('namedExports', namedExports, (Date.now() - t) / 1000);
  await c.close(); await server.close();
}, 600000);
