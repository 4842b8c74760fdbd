/**
 * CPU time of the JavaScript a compiled `fit` step runs outside the kernels, piece by piece, on the
 * bench MLP (784-128-64-10, relu, softmax, Adam, batch 128, webasm):
 *
 *   npx tsx bench/mlp/step-js.ts [--reps 200]
 *
 * Each piece is called `reps` times, five rounds, and the median of the rounds' CPU time per call is
 * printed (`process.cpuUsage`, so a busy machine inflates the figures less than wall time would; the
 * figures are still upper bounds). `model.withWeights` is what every training step did before the
 * trainer made its model lazily (`trainer.stepped`), and the `signature` row what every compiled call did
 * before `leavesAndKey`; the last rows are a whole step (the compiled replay,
 * kernels included) for scale. Nothing here asserts on timings.
 */
import * as tf from '../../src/index.js'
import type { Trainer } from '../../src/index.js'
import { stepCore, addBatch, emptyTotals, bindMetrics } from '../../src/train/engine.js'
import { arrayBatch } from '../../src/train/batches.js'
import type { ArrayDataset } from '../../src/train/data.js'
import { leavesAndKey } from '../../src/compile/record.js'
import type { Tensor } from '../../src/core/Tensor.js'
import * as Tree from '../../src/core/Tree.js'
import { argValue } from '../common.js'
import { MLP } from '../config.js'
import { buildTrainer } from './tfApi.js'

/** The key jit computed on every call before `leavesAndKey`: the JSON of the structure, then the leaves' dtypes and shapes. */
const signature = (leaves: ReadonlyArray<Tensor>, st: Tree.Structure): string =>
  JSON.stringify(st) + '|' + leaves.map((l) => `${l.dtype}${l.shape.join('x')}`).join(',')

const reps = Number(argValue(process.argv.slice(2), 'reps') ?? 200)
const cpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
/** Median over five rounds of the CPU microseconds per call of `f`. */
const time = (name: string, f: () => unknown, n = reps): void => {
  for (let i = 0; i < Math.min(20, n); i++) f()
  const rounds: number[] = []
  for (let r = 0; r < 5; r++) {
    const t0 = cpuMs()
    for (let i = 0; i < n; i++) f()
    rounds.push(((cpuMs() - t0) / n) * 1000)
  }
  rounds.sort((a, b) => a - b)
  console.log(`| ${name} | ${rounds[2].toFixed(1)} |`)
}

const main = async (): Promise<void> => {
  tf.setBackend('webasm')
  const n = 1280
  const X = new Float32Array(n * 784).map((_, i) => (i % 97) / 97)
  const Y = new Float32Array(n * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0))
  const { trainer } = buildTrainer(MLP.dims, false)
  const warm = await trainer.fit(tf.tensor(X, [n, 784]), tf.tensor(Y, [n, 10]), { batchSize: MLP.batch, epochs: 1, verbose: 0 })
  const t: Trainer = warm.trainer
  const d: ArrayDataset = { n, xs: [{ data: X, shape: [n, 784] }], ys: [{ data: Y, shape: [n, 10] }], sw: [undefined] }
  const order = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n)
  const b = arrayBatch(d, 0, MLP.batch, order)
  const inputs = { params: t.params, optState: t.optState as Tree.Tree, state: t.state, xs: b.xs, ys: b.ys as ReadonlyArray<tf.Tensor>, sampleWeight: [tf.ones([MLP.batch])] }
  const [t2, out] = stepCore(t, b)
  const metrics = bindMetrics(t, out.yPreds, b.ys)
  if (metrics._tag === 'Left') throw new Error(metrics.left.message)
  const tot = emptyTotals(metrics.right, 1)
  console.log(`CPU µs per call, median of 5 rounds of ${reps} (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})\n`)
  console.log('| piece | µs |\n|---|---|')
  time('batch rows, shuffled (`arrayBatch`)', () => arrayBatch(d, 0, MLP.batch, order))
  time('jit, before: `Tree.leaves` + `Tree.structure` + `signature` of the step inputs', () => signature(Tree.leaves(inputs), Tree.structure(inputs)))
  time('jit, now: `leavesAndKey` of the step inputs (one walk)', () => leavesAndKey(inputs))
  time('the step key (`stepKey`)', () => t.stepKey())
  time('`model.withWeights(params, state)` (every step before)', () => t.model.withWeights(out.params, out.state))
  time('`trainer.stepped(params, state, optState, step)` (every step now)', () => t.stepped(out.params, out.state, out.optState, t.step + 1))
  time("the epoch's totals (`addBatch`)", () => addBatch(tot, metrics.right, b, out))
  time('whole step: compiled replay on one thread (`fns.train`), kernels included', () => (t.fns as NonNullable<Trainer['fns']>).train(inputs, t.stepKey()), Math.max(10, Math.floor(reps / 5)))
  void t2
}
void main()
