/**
 * Memory over a long run: tensorfold compiled training for `--steps` steps (default 10,000) of the
 * MNIST MLP at batch 32 on the first 3,200 training samples (100 steps per pass), RSS sampled after
 * step 100, every 1,000 steps and at the end, each after a full GC when `--expose-gc` is on.
 *
 *   node --expose-gc --import tsx bench/memory.ts [--steps 10000] [--batch 32] [--api fit|manual]
 *
 * `--api fit` (default when the training API is exported) trains through `compile({runEagerly: false})`
 * + `fit`; `manual` (the fallback) runs bench/mlp/tensorfold_manual.ts's jitted valueAndGrad + Adam step.
 */
import * as tfAll from '../src/index.js'
import { argValue, loadMnist, MB, r, runChild, sinceStartS, type Split } from './common.js'
import { makeTrainer } from './mlp/tensorfold_manual.js'
import { buildTrainer, type CallbackLike } from './mlp/tfApi.js'

interface Sample {
  readonly step: number
  readonly rssMB: number
  readonly heapUsedMB: number
  readonly externalMB: number
  readonly arrayBuffersMB: number
  readonly kernels: number | null
  readonly s: number
}

const sample = (step: number, t0: number): Sample => {
  const g = (globalThis as { gc?: () => void }).gc
  if (g !== undefined) g()
  const m = process.memoryUsage()
  const be = tfAll.getBackend() as { kernelCount?: () => number }
  return {
    step,
    rssMB: MB(m.rss),
    heapUsedMB: MB(m.heapUsed),
    externalMB: MB(m.external),
    arrayBuffersMB: MB(m.arrayBuffers),
    kernels: typeof be.kernelCount === 'function' ? be.kernelCount() : null,
    s: r((performance.now() - t0) / 1000, 1)
  }
}

const slice = (d: Split, n: number): Split => ({ X: d.X.subarray(0, n * 784), y: d.y.subarray(0, n), Y1: d.Y1.subarray(0, n * 10), n })

/** Default model for the long run (see the header). */
const MEMORY_DIMS = [784, 128, 64, 10]

const shouldSample = (step: number, total: number): boolean => step === 100 || step % 1000 === 0 || step === total

const main = async (): Promise<Record<string, unknown>> => {
  const argv = process.argv.slice(2)
  const steps = Number(argValue(argv, 'steps') ?? 10000)
  const batch = Number(argValue(argv, 'batch') ?? 32)
  const dims = (argValue(argv, 'dims') ?? MEMORY_DIMS.join('-')).split('-').map(Number)
  if (dims.length !== 4 || dims[0] !== 784 || dims[3] !== 10) throw new Error(`--dims must be 784-H1-H2-10, received ${dims.join('-')}`)
  tfAll.setBackend('webasm')
  // the training API if it can build a trainer, else the hand-written jitted step
  let built: ReturnType<typeof buildTrainer> | undefined
  let apiError: string | undefined
  try {
    built = buildTrainer(dims, false)
  } catch (e) {
    apiError = (e as Error).message
  }
  const which = argValue(argv, 'api') ?? (built !== undefined ? 'fit' : 'manual')
  const data = slice(loadMnist().train, batch * 100)
  const samples: Sample[] = []
  const t0 = performance.now()
  if (which === 'fit') {
    if (built === undefined) throw new Error(`--api fit: ${apiError}`)
    const trainer = built.trainer
    let done = 0
    const cb: CallbackLike = {
      name: 'benchMemory',
      init: () => null,
      onTrainBatchEnd: () => {
        done++
        if (shouldSample(done, steps)) samples.push(sample(done, t0))
        return done >= steps ? { stop: true } : undefined
      }
    }
    const x = tfAll.tensor(data.X, [data.n, 784])
    const y = tfAll.tensor(data.Y1, [data.n, 10])
    await trainer.fit(x, y, { batchSize: batch, epochs: Math.ceil(steps / 100), shuffle: true, verbose: 0, callbacks: [cb] })
    if (done < steps) throw new Error(`fit stopped after ${done} of ${steps} steps`)
  } else {
    const tr = makeTrainer('jit', data, batch, dims)
    let done = 0
    while (done < steps) {
      const order = tr.order()
      for (let b = 0; b * batch < data.n && done < steps; b++) {
        await tr.run(order.slice(b * batch, (b + 1) * batch))
        done++
        if (shouldSample(done, steps)) samples.push(sample(done, t0))
      }
    }
  }
  const at100 = samples.find((s) => s.step === 100)
  const end = samples[samples.length - 1]
  const wallS = (performance.now() - t0) / 1000
  return {
    api: which === 'fit' ? 'compile({runEagerly: false}) + fit' : 'hand-written jit(valueAndGrad + Adam) step',
    fitApiUnavailable: apiError ?? null,
    model: `MLP ${dims.join('-')} (relu, relu, softmax)`,
    batch,
    trainSamples: data.n,
    steps,
    gcBeforeSample: typeof (globalThis as { gc?: unknown }).gc === 'function',
    rssAt100MB: at100?.rssMB ?? null,
    rssAtEndMB: end.rssMB,
    ratio: at100 === undefined ? null : r(end.rssMB / at100.rssMB, 3),
    heapAt100MB: at100?.heapUsedMB ?? null,
    heapAtEndMB: end.heapUsedMB,
    stepsPerS: r(steps / wallS, 1),
    wallS: r(wallS, 1),
    processS: r(sinceStartS(), 1),
    samples
  }
}

runChild({ bench: 'memory', lib: 'tensorfold', mode: 'compiled' }, main)
