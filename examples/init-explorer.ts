// The question gpugrad exists for: how does the std of the activations change with depth under
// each initializer? A 20-layer MLP of width 256 on N(0, 1) inputs: `npm run example:init`.
import { init, matmul, moments, MOMENT, readAll, ready, relu, tanh, tidy, type Tensor } from 'gpugrad';

const [DEPTH, WIDTH, BATCH, SHOWN] = [20, 256, 256, [1, 2, 5, 10, 20]];
const INITS: Record<string, (shape: number[], seed: number) => Tensor> = {
  lecun: (shape, seed) => init.lecunNormal(shape, { seed }),                          // Var = 1/fanIn
  xavier: (shape, seed) => init.xavierNormal(shape, { seed }),                        // Var = 2/(fanIn + fanOut)
  he: (shape, seed) => init.kaimingNormal(shape, { seed }),                           // Var = 2/fanIn
  'N(0,1)': (shape, seed) => init.normal(shape, { seed }),                            // Var = 1
  '0.01*N(0,1)': (shape, seed) => init.normal(shape, { std: 0.01, seed }),            // Var = 1e-4
};

/** std of the activations after each layer, per initializer. */
export async function explore(activation: 'tanh' | 'relu'): Promise<Record<string, number[]>> {
  const table: Record<string, number[]> = {};
  for (const [name, make] of Object.entries(INITS)) {
    const stats = tidy(() => {
      let a = init.normal([BATCH, WIDTH], { seed: 0 });
      return Array.from({ length: DEPTH }, (_, l) => moments((a = (activation === 'tanh' ? tanh : relu)(matmul(a, make([WIDTH, WIDTH], l + 1))))));
    });
    table[name] = (await readAll(stats)).map((m) => m[MOMENT.std]); // one readback for all layers
    for (const t of stats) t.dispose();
  }
  return table;
}

export async function main(): Promise<number> {
  await ready();
  for (const activation of ['tanh', 'relu'] as const) {
    const table = await explore(activation);
    console.log(`\n${activation}, width ${WIDTH}: std of the activations after layer\n${'init'.padEnd(12)}${SHOWN.map((l) => String(l).padStart(10)).join('')}`);
    for (const [name, stds] of Object.entries(table)) console.log(name.padEnd(12) + SHOWN.map((l) => stds[l - 1].toExponential(2).padStart(10)).join(''));
  }
  return 0;
}
