// Run by test/vulkan-drivers.test.ts in a process of its own (`node scripts/run-ts.mjs
// test/adapter/ready.ts`), so that what ready() prints on stderr, Dawn's native lines
// included, can be read whole: prints the adapter ready() chose as one line of JSON.

import { adapterInfo, ready } from '../../src/index.ts';

export async function main(): Promise<number> {
  await ready({ verbose: false });
  process.stdout.write(JSON.stringify(adapterInfo()) + '\n');
  return 0;
}
