// The special-values page: loads gpugrad straight from src/ (through Vite's dev server) and
// hands test/special-values.test.ts the table runner to call with page.evaluate.

import * as gg from '../../src/index.ts';
import { runSpecialValues } from './run.ts';

window.gpugradSpecial = { run: () => runSpecialValues(gg) };
document.body.dataset.ready = 'true';
