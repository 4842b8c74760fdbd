/**
 * The CNN case of `npm run bench`: the same small Keras-style CNN on MNIST in tensorfold (compiled
 * `fit`), TensorFlow.js on wasm and cpu (`fit`; tfjs 4.22's wasm backend cannot train convolutions) and jax-js on wasm (`jit(valueAndGrad + Adam)` over
 * `lax.convGeneralDilated` and `lax.reduceWindow`). `npm run bench -- --only cnn --quick` runs it alone.
 */
import type { BenchCase } from '../case.js'

const cnnCase: BenchCase = {
  name: 'cnn',
  title: 'CNN on MNIST (conv 16 → pool → conv 32 → pool → dense 64 → dense 10; 8,000 train / 2,000 test), Adam 1e-3, batch 64',
  runs: ({ epochs, quick, webgpu }) => {
    const a = ['--epochs', String(epochs), ...(quick ? ['--quick'] : [])]
    return [
      { id: 'tensorfold-compiled', script: 'bench/cnn/tensorfold.ts', args: a, label: 'tensorfold compiled (fit)', timeoutS: 900 },
      { id: 'tfjs-wasm', script: 'bench/cnn/tfjs.ts', args: ['wasm', ...a], label: 'tfjs-wasm (sequential + fit)', timeoutS: 900 },
      { id: 'tfjs-cpu', script: 'bench/cnn/tfjs.ts', args: ['cpu', ...a], label: 'tfjs-cpu (sequential + fit)', timeoutS: 900 },
      { id: 'jax-wasm', script: 'bench/cnn/jax.ts', args: a, label: 'jax-js wasm (jit(valueAndGrad + Adam))', timeoutS: 900 },
      // --webgpu: the same compiled fit, unchanged, on setBackend('webgpu') (conv and pooling as WebGPU kernels)
      ...(webgpu === true ? [{ id: 'tensorfold-webgpu', script: 'bench/cnn/tensorfold.ts', args: [...a, '--webgpu'], label: "tensorfold compiled on WebGPU (fit, setBackend('webgpu'))", timeoutS: 1800 }] : [])
    ]
  },
  tensorfold: 'tensorfold-compiled',
  peers: ['tfjs-wasm', 'tfjs-cpu', 'jax-wasm']
}
export default cnnCase
