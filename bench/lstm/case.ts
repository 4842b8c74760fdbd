/**
 * The LSTM case of `npm run bench` (the shape cnn's bench/case.ts `BenchCase` announces): one child per
 * configuration, each printing one BENCH_JSON line; ratios are tensorfold compiled ÷ each peer.
 * Registered in bench/run.ts with one line: `() => import('./lstm/case.js').then((m) => m.default),`.
 */
const runs = (o: { readonly epochs: number; readonly quick: boolean; readonly webgpu?: boolean }) => {
  const extra = [...(o.quick ? ['--quick'] : []), '--epochs', String(o.epochs)]
  return [
    { id: 'tensorfold-compiled', script: 'bench/lstm/tensorfold.ts', args: ['compiled', ...extra], label: 'tensorfold compiled (fit, runEagerly: false; the LSTM is one scan)', timeoutS: 900 },
    { id: 'tfjs-wasm', script: 'bench/lstm/tfjs.ts', args: ['wasm', ...extra], label: 'tfjs-wasm (sequential([lstm, dense]) + fit)', timeoutS: 900 },
    { id: 'tfjs-cpu', script: 'bench/lstm/tfjs.ts', args: ['cpu', ...extra], label: 'tfjs-cpu (sequential([lstm, dense]) + fit)', timeoutS: 900 },
    { id: 'jax-wasm', script: 'bench/lstm/jax.ts', args: extra, label: 'jax-js wasm (jit(valueAndGrad + Adam), 50 steps unrolled)', timeoutS: 900 },
    // --webgpu: the same compiled fit, unchanged, on setBackend('webgpu')
    ...(o.webgpu === true ? [{ id: 'tensorfold-webgpu', script: 'bench/lstm/tensorfold.ts', args: ['compiled', ...extra, '--webgpu'], label: "tensorfold compiled on WebGPU (fit, setBackend('webgpu'))", timeoutS: 1800 }] : [])
  ]
}

export default {
  name: 'lstm',
  title: 'LSTM training: LSTM(64) over 50 steps + Dense(1), batch 64, Adam (generated sequence task)',
  runs,
  tensorfold: 'tensorfold-compiled',
  peers: ['tfjs-wasm', 'tfjs-cpu', 'jax-wasm']
}
