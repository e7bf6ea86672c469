// ready() in a Node project that installed gpugrad without the `webgpu` package.
import { ready } from 'gpugrad';

try {
  await ready();
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, message: error.message }));
}
