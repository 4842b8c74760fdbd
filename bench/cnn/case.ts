/**
 * The CNN case of `npm run bench`: the same small Keras-style CNN on MNIST in tensorfold (compiled
 * `fit`), TensorFlow.js on wasm and cpu (`fit`) and jax-js on wasm (`jit(valueAndGrad + Adam)` over
 * `lax.convGeneralDilated` and `lax.reduceWindow`). `npm run bench -- --only cnn --quick` runs it alone.
 *
 * tfjs 4.22's wasm backend has no `Conv2DBackpropFilter` kernel: tfjs-wasm cannot train this CNN, so the
 * training ratio against it is not measurable; its child measures predict throughput instead, and the
 * table adds a predict-only ratio (tensorfold's predict on the same test set). tfjs-cpu trains at a few
 * dozen samples/s: its child is bounded (one epoch of 16 batches — fewer, at least 4, past 90 s of training —
 * samples/s timed from the end of batch 2).
 */
import type { BenchCase } from '../case.js'

const cnnCase: BenchCase = {
  name: 'cnn',
  title: 'CNN on MNIST (conv 16 → pool → conv 32 → pool → dense 64 → dense 10; 8,000 train / 2,000 test), Adam 1e-3, batch 64',
  runs: ({ epochs, quick, webgpu }) => {
    const a = ['--epochs', String(epochs), ...(quick ? ['--quick'] : [])]
    return [
      { id: 'tensorfold-compiled', script: 'bench/cnn/tensorfold.ts', args: a, label: 'tensorfold compiled (fit)', timeoutS: 900 },
      { id: 'tfjs-wasm', script: 'bench/cnn/tfjs.ts', args: ['wasm', ...a], label: 'tfjs-wasm (sequential + fit; predict only: no Conv2DBackpropFilter kernel)', timeoutS: 300 },
      { id: 'tfjs-cpu', script: 'bench/cnn/tfjs.ts', args: ['cpu', ...a], label: 'tfjs-cpu (sequential + fit, ≤ 16 batches)', timeoutS: 600 },
      { id: 'jax-wasm', script: 'bench/cnn/jax.ts', args: a, label: 'jax-js wasm (jit(valueAndGrad + Adam))', timeoutS: 900 },
      // --webgpu: the same compiled fit, unchanged, on setBackend('webgpu') (conv and pooling as WebGPU kernels)
      ...(webgpu === true ? [{ id: 'tensorfold-webgpu', script: 'bench/cnn/tensorfold.ts', args: [...a, '--webgpu'], label: "tensorfold compiled on WebGPU (fit, setBackend('webgpu'))", timeoutS: 1800 }] : [])
    ]
  },
  tensorfold: 'tensorfold-compiled',
  peers: ['tfjs-wasm', 'tfjs-cpu', 'jax-wasm']
}
export default cnnCase
