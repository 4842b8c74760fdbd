/**
 * The first steps of a compiled `fit`, one by one: wall and CPU time from the start of `fit` to each of
 * the first batch ends, and how many kernels the webasm backend has built by then.
 *
 *   npx tsx bench/first-step.ts [cnn|mlp] [--n 8000] [--steps 3]
 *
 * The model is the bench case's (`bench/cnn/model.ts`, or the 784-128-64-10 MLP of
 * `bench/mlp/tfApi.ts`), trained with Adam and categorical cross-entropy on `n` deterministic
 * pseudo-digits (no MNIST needed), batch 64 (CNN) or 128 (MLP), unshuffled; the loss of the epoch is
 * printed so that two builds can be checked to compute the same thing. CPU time is `process.cpuUsage`
 * (all threads of the process). Run it several times, alternating the builds compared: one process is
 * one sample. Nothing here asserts on timings.
 */
import * as tf from '../src/index.js'
import { getBackend } from '../src/backend/index.js'
import type { GpujsBackend } from '../src/backend/gpujs/backend.js'
import { argValue } from './common.js'
import { MLP } from './config.js'
import { CNN } from './cnn/common.js'
import { cnnModel } from './cnn/model.js'
import { buildTrainer } from './mlp/tfApi.js'

const argv = process.argv.slice(2)
const kind = argv[0] === 'mlp' ? 'mlp' : 'cnn'
const n = Number(argValue(argv, 'n') ?? 8000)
const shown = Number(argValue(argv, 'steps') ?? 3)

const main = async (): Promise<void> => {
  tf.setBackend('webasm')
  const be = getBackend() as unknown as GpujsBackend
  const pixels = Float32Array.from({ length: n * 784 }, (_, i) => ((i * 2654435761) % 1000) / 1000)
  const labels = new Float32Array(n * 10)
  for (let i = 0; i < n; i++) labels[i * 10 + (i % 10)] = 1
  const trainer =
    kind === 'cnn'
      ? cnnModel().compile({ optimizer: tf.adam({ learningRate: CNN.lr }), loss: 'categorical_crossentropy', seed: 0 })
      : buildTrainer(MLP.dims, false).trainer
  const x = tf.tensor(pixels, kind === 'cnn' ? [n, 28, 28, 1] : [n, 784])
  const y = tf.tensor(labels, [n, 10])
  const rows: Array<{ wall: number; cpu: number; kernels: number }> = []
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const timing = {
    name: 'firstSteps',
    init: () => null,
    onTrainBatchEnd: () => {
      const u = process.cpuUsage(c0)
      rows.push({ wall: performance.now() - t0, cpu: (u.user + u.system) / 1000, kernels: be.kernelCount() })
    }
  } as unknown as tf.Callback
  const res = await trainer.fit(x, y, { batchSize: kind === 'cnn' ? CNN.batch : MLP.batch, epochs: 1, shuffle: false, verbose: 0, callbacks: [timing] })
  const loss = res.history.history.loss as number[]
  console.log(`${kind}, ${n} samples, ${rows.length} steps, epoch loss ${loss[0]}`)
  console.log('| step | wall ms from the start of fit | CPU ms | kernels built |')
  console.log('|---|---|---|---|')
  rows.slice(0, shown).forEach((r, i) => console.log(`| ${i + 1} | ${r.wall.toFixed(0)} | ${r.cpu.toFixed(0)} | ${r.kernels} |`))
  const last = rows[rows.length - 1]
  console.log(`| all ${rows.length} | ${last.wall.toFixed(0)} | ${last.cpu.toFixed(0)} | ${last.kernels} |`)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
