// ready({ gpu }) with an object shaped like navigator.gpu, made by the caller: Dawn's, from the
// `webgpu` package (a Deno or Bun navigator.gpu, or a test double, would be passed the same way).
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { adapterInfo, ready, sum, tensor } from 'gpugrad';

Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode, ...: globals in a browser
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json'; // no GPU: Debian's chromium ships this CPU driver
let gpu = create([]);
if (!(await gpu.requestAdapter()) && !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER;
  gpu = create([]);
}
await ready({ gpu, verbose: false });
console.log(JSON.stringify({ source: adapterInfo().source, sum: await sum(tensor([1, 2, 3, 4])).item() }));
