// The recommended gain for each nonlinearity (the factor that keeps the signal's variance
// constant from layer to layer), as in PyTorch's torch.nn.init.calculate_gain.

import { GpugradError } from '../errors.ts';

/** The nonlinearities calculateGain() knows. */
export type Nonlinearity = 'linear' | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/**
 * linear, identity, sigmoid: 1; tanh: 5/3; relu: √2; leakyRelu (slope a, default 0.01): √(2/(1+a²));
 * selu: 3/4 (used with LeCun normal in self-normalizing nets). `param` is leakyRelu's negative
 * slope. Throws GpugradError for an unknown name.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'identity': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': {
      const a = param ?? 0.01;
      return Math.sqrt(2 / (1 + a * a));
    }
    case 'selu': return 3 / 4;
    default:
      throw new GpugradError(`calculateGain: unknown nonlinearity '${nonlinearity as string}' ` +
        '(linear, identity, sigmoid, tanh, relu, leakyRelu, selu)');
  }
}
