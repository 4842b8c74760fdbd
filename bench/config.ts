/** The libraries and configurations the benchmark compares (shared by bench/run.ts and the children). */

/** Op benchmarks (bench/ops.ts): one child process each. */
export const OPS_LIBS = ['tensorfold-webasm', 'tensorfold-webasm-1t', 'tensorfold-cpu', 'tfjs-cpu', 'tfjs-wasm', 'jax-wasm'] as const
export type OpsLib = (typeof OPS_LIBS)[number]

/** MLP training configurations: one child process each (script under bench/mlp/, first argument). */
export const MLP_CONFIGS = [
  { id: 'tensorfold-compiled', script: 'bench/mlp/tensorfold.ts', args: ['compiled'], label: 'tensorfold compiled (fit, runEagerly: false)' },
  { id: 'tensorfold-eager', script: 'bench/mlp/tensorfold.ts', args: ['eager'], label: 'tensorfold eager (fit, runEagerly: true)' },
  { id: 'tensorfold-manual-jit', script: 'bench/mlp/tensorfold_manual.ts', args: ['jit'], label: 'tensorfold hand-written step, jit(valueAndGrad + Adam)' },
  { id: 'tensorfold-manual-eager', script: 'bench/mlp/tensorfold_manual.ts', args: ['eager'], label: 'tensorfold hand-written step, eager' },
  { id: 'tfjs-cpu', script: 'bench/mlp/tfjs.ts', args: ['cpu'], label: 'tfjs-cpu (sequential + fit)' },
  { id: 'tfjs-wasm', script: 'bench/mlp/tfjs.ts', args: ['wasm'], label: 'tfjs-wasm (sequential + fit)' },
  { id: 'jax-wasm', script: 'bench/mlp/jax.ts', args: [], label: 'jax-js wasm (jit(valueAndGrad + Adam))' }
] as const
export type MlpId = (typeof MLP_CONFIGS)[number]['id']

/** The MLP every framework trains. */
export const MLP = { dims: [784, 128, 64, 10], batch: 128, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const
