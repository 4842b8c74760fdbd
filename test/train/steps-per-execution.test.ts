/**
 * Issue 15: `stepsPerExecution`, Keras 2.15's `steps_per_execution` (compile). What Keras does
 * (tf_keras 2.15 engine/training.py `fit`/`evaluate`/`predict`, engine/data_adapter.py
 * `DataHandler.steps`, callbacks.py `ModelCheckpoint._should_save_on_batch`):
 * - `on_*_batch_begin(step)` once per execution with its first batch index, `on_*_batch_end(step +
 *   step_increment, logs)` with its last; the last execution of an epoch is truncated to the epoch
 *   (`can_run_full_execution`), so executions never cross it;
 * - evaluate and predict group their batches the same way; predict's batch-end outputs are the
 *   execution's steps' outputs concatenated;
 * - `ModelCheckpoint(save_freq=n)` counts `batch - _last_batch_seen` (`batch + 1` on a new epoch), with
 *   `_last_batch_seen = 0` at the start;
 * - the compiled unit runs N steps; TerminateOnNaN sees the loss once per execution.
 * tensorfold's immutable equivalent: an execution is the unit a callback's `revert` undoes.
 */
import { describe, it, expect } from 'vitest'
import { mkdtempSync, rmSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, dropout, tensor, modelCheckpoint, Callbacks, jit, key, save, loadTrainer, type Tensor } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { bundle } from '../../src/core/Key.js'
import { makeExecutionFn } from '../../src/train/step.js'
import { regression, compiled, weightsOf, run } from './helpers.js'

const net = (seed = 0) => sequential([dense(5, { inputShape: [3], activation: 'tanh' }), dropout(0.3), dense(1)], { seed })

/** A callback that writes down every batch hook it sees. */
const recorder = (seen: string[]): Tr.Callbacks.Callback<null> => ({
  name: 'recorder',
  init: () => null,
  onTrainBatchBegin: (_s, { batch }) => void seen.push(`b${batch}`),
  onTrainBatchEnd: (_s, { batch }) => void seen.push(`e${batch}`),
  onTestBatchBegin: (_s, { batch }) => void seen.push(`tb${batch}`),
  onTestBatchEnd: (_s, { batch }) => void seen.push(`te${batch}`),
  onPredictBatchBegin: (_s, { batch }) => void seen.push(`pb${batch}`),
  onPredictBatchEnd: (_s, { batch, outputs }) => void seen.push(`pe${batch}:${outputs[0].shape[0]}`)
})

describe('stepsPerExecution (Keras 2.15 steps_per_execution)', () => {
  it('is decoded by the compile options codec: a positive integer, anything else a CompileError naming it', () => {
    for (const bad of [0, -2, 1.5, 'auto', '3', null]) {
      const r = Tr.compile(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: bad as never })
      expect(E.isLeft(r) && r.left._tag).toBe('CompileError')
      expect(E.isLeft(r) && r.left.message).toContain('stepsPerExecution: expected a positive integer')
    }
    expect(compiled(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 3 }).config.stepsPerExecution).toBe(3)
    expect(compiled(net(), { optimizer: 'sgd', loss: 'mse' }).config.stepsPerExecution).toBe(1)
  })

  it('fit: batch hooks once per execution (first index at begin, last at end), the last execution truncated to the epoch', async () => {
    const { x, y } = regression(10, 1)
    const seen: string[] = []
    const t = compiled(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 2 })
    const r = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [recorder(seen)] }))
    // 5 batches: executions [0, 1], [2, 3], [4]
    expect(seen).toEqual(['b0', 'e1', 'b2', 'e3', 'b4', 'e4', 'b0', 'e1', 'b2', 'e3', 'b4', 'e4'])
    expect(r.trainer.step).toBe(10)
    // more steps per execution than the epoch has: one execution per epoch (Keras truncates it)
    const seen2: string[] = []
    const r2 = await run(Tr.fit(compiled(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 100 }), x, y, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [recorder(seen2)] }))
    expect(seen2).toEqual(['b0', 'e2'])
    expect(r2.trainer.step).toBe(3)
  })

  it('the progress bar advances by the execution\'s steps (Keras ProgbarLogger: seen = batch + 1 at each batch end)', async () => {
    const { x, y } = regression(10, 1)
    let out = ''
    const t = compiled(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 2 })
    await t.fit(x, y, { epochs: 1, batchSize: 2, verbose: 1, write: (s) => void (out += s), callbacks: [Callbacks.progbarLogger({ interactive: true, display: false, intervalMs: 0 })] })
    expect(out).toContain('2/5')
    expect(out).toContain('4/5')
    expect(out).toContain('5/5')
    expect(out).not.toContain('1/5')
    expect(out).not.toContain('3/5')
  })

  it('an iterable of unknown length: executions stop where the data does', async () => {
    const { x, y } = regression(10, 1)
    const xs = x.toArray() as number[][]
    const ys = y.toArray() as number[][]
    const batches = { *[Symbol.iterator]() { for (let i = 0; i < 10; i += 2) yield [tensor(xs.slice(i, i + 2)), tensor(ys.slice(i, i + 2))] as const } }
    const seen: string[] = []
    const r = await run(Tr.fit(compiled(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 3 }), batches, undefined, { epochs: 1, verbose: 0, callbacks: [recorder(seen)] }))
    expect(seen).toEqual(['b0', 'e2', 'b3', 'e4'])
    expect(r.trainer.step).toBe(5)
  })

  it('N steps in one execution equal N single steps bit for bit: weights and logs, eager and compiled (dropout draws from each step\'s own key)', async () => {
    const { x, y } = regression(22, 2)
    for (const runEagerly of [true, false]) {
      const one = compiled(net(3), { optimizer: 'adam', loss: 'mse', metrics: ['mae'], seed: 4, runEagerly })
      const many = compiled(net(3), { optimizer: 'adam', loss: 'mse', metrics: ['mae'], seed: 4, runEagerly, stepsPerExecution: 3 })
      const opts = { epochs: 2, batchSize: 4, verbose: 0 as const }
      // compiled: a first run records the programs (a recording runs eagerly); the second replays them
      if (!runEagerly) {
        await run(Tr.fit(one, x, y, opts))
        await run(Tr.fit(many, x, y, opts))
      }
      const a = await run(Tr.fit(one, x, y, opts))
      const b = await run(Tr.fit(many, x, y, opts))
      expect(weightsOf(b.trainer)).toEqual(weightsOf(a.trainer))
      expect(b.history.history).toEqual(a.history.history)
      expect(b.trainer.step).toBe(a.trainer.step)
    }
  })

  it('compiled, an execution is ONE program: recorded once, then replayed; its steps equal the single step replayed N times, bit for bit', () => {
    const { x, y } = regression(12, 5)
    const t = compiled(net(1), { optimizer: 'adam', loss: 'mse', seed: 1 })
    const spec = { model: t.model, losses: t.config.losses, lossWeights: t.config.lossWeights, optimizer: t.config.optimizer }
    const many = jit(makeExecutionFn(spec))
    const single = jit(Tr.makeStepFn(spec))
    const rows = (i: number) => [0, 1, 2, 3].map((j) => 4 * i + j)
    const xs = x.toArray() as number[][]
    const ys = y.toArray() as number[][]
    const batches = [0, 1, 2].map((i) => ({ xs: [tensor(rows(i).map((r) => xs[r]))], ys: [tensor(rows(i).map((r) => ys[r]))], sampleWeight: [tensor([1, 1, 1, 1])] }))
    const keys = [0, 1, 2].map((i) => t.stepKey(i))
    const start = { params: t.model.params, optState: t.optState as NonNullable<typeof t.optState>, state: t.model.state }
    const viaSingle = () =>
      batches.reduce<{ carry: typeof start; losses: Tensor[] }>(
        (acc, b, i) => {
          const o = single({ ...acc.carry, ...b }, keys[i])
          return { carry: { params: o.params, optState: o.optState, state: o.state }, losses: [...acc.losses, o.loss] }
        },
        { carry: start, losses: [] }
      )
    viaSingle() // records the single step
    many({ ...start, batches }, bundle(keys)) // records the execution
    const s = viaSingle()
    const m = many({ ...start, batches }, bundle(keys))
    expect(many.stats().traces).toBe(1)
    expect(many.stats().replays).toBe(1)
    const last = m.outs[2]
    expect(m.outs.map((o) => Array.from(o.loss.dataSync()))).toEqual(s.losses.map((l) => Array.from(l.dataSync())))
    const leaves = (tr: unknown): number[][] => (Array.isArray(tr) ? tr.flatMap(leaves) : typeof tr === 'object' && tr !== null && 'dataSync' in tr ? [Array.from((tr as Tensor).dataSync())] : typeof tr === 'object' && tr !== null ? Object.values(tr).flatMap(leaves) : [])
    expect(leaves(last.params)).toEqual(leaves(s.carry.params))
    expect(leaves(last.optState)).toEqual(leaves(s.carry.optState))
    // another bundle of keys draws other dropout masks: the keys are inputs of the program, not constants
    const other = many({ ...start, batches }, bundle([key(7), key(8), key(9)]))
    expect(leaves(other.outs[2].params)).not.toEqual(leaves(last.params))
  })

  it('evaluate and predict group their batches the same way (test / predict hooks; predict concatenates an execution\'s outputs); results unchanged', async () => {
    const { x, y } = regression(10, 1)
    const t1 = compiled(net(), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const t3 = compiled(net(), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'], stepsPerExecution: 3 })
    const seen: string[] = []
    const r3 = await t3.evaluate(x, y, { batchSize: 2, verbose: 0, callbacks: [recorder(seen)] })
    expect(seen).toEqual(['tb0', 'te2', 'tb3', 'te4'])
    expect(r3).toEqual(await t1.evaluate(x, y, { batchSize: 2, verbose: 0 }))
    seen.length = 0
    const p3 = (await t3.predict(x, { batchSize: 2, verbose: 0, callbacks: [recorder(seen)] })) as Tensor
    expect(seen).toEqual(['pb0', 'pe2:6', 'pb3', 'pe4:4'])
    expect(Array.from(p3.dataSync())).toEqual(Array.from(((await t1.predict(x, { batchSize: 2, verbose: 0 })) as Tensor).dataSync()))
    // fit's validation runs evaluate's grouping: test hooks once per execution
    seen.length = 0
    await t3.fit(x, y, { epochs: 1, batchSize: 5, verbose: 0, validationData: [x, y], validationBatchSize: 2, callbacks: [recorder(seen)] })
    expect(seen).toEqual(['b0', 'e1', 'tb0', 'te2', 'tb3', 'te4'])
  })

  it('ModelCheckpoint saveFreq counts the batch-index jumps as Keras (_last_batch_seen starts at 0)', async () => {
    const { x, y } = regression(10, 1)
    const dir = mkdtempSync(join(tmpdir(), 'tf-spe-'))
    try {
      const t = compiled(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 2 })
      await t.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, shuffle: false, callbacks: [modelCheckpoint({ filepath: join(dir, 'e{epoch}_b{batch}'), saveFreq: 3, monitor: 'loss' })] })
      // batch ends 1, 3, 4 per epoch. Epoch 1: +1 (1 - 0), +2 → 3: save at batch 3 (b4); +1. Epoch 2:
      // batch 1 ≤ 4 so +2 → 3: save (b2); +2, +1 → 3: save (b5)
      expect(readdirSync(dir).sort()).toEqual(['e1_b4', 'e2_b2', 'e2_b5'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('TerminateOnNaN sees the loss once per execution and undoes the whole execution; the epoch keeps the executions before', async () => {
    const { xs, ys } = regression(12, 1)
    // sample 6 (batch 3, in the second execution [2, 3]) is NaN
    const bad = xs.map((r, i) => (i === 6 ? [NaN, NaN, NaN] : r))
    const t = compiled(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 2 })
    const seen: string[] = []
    const r = await run(Tr.fit(t, tensor(bad), tensor(ys), { epochs: 2, batchSize: 2, verbose: 0, shuffle: false, checkFiniteInputs: false, callbacks: [Callbacks.terminateOnNaN(), recorder(seen)] }))
    expect(r.stopped).toBe('callback')
    expect(seen).toEqual(['b0', 'e1', 'b2', 'e3'])
    // the trainer after the first execution, exactly as a run on its 4 samples
    const good = await run(Tr.fit(t, tensor(xs.slice(0, 4)), tensor(ys.slice(0, 4)), { epochs: 1, batchSize: 2, verbose: 0, shuffle: false }))
    expect(r.trainer.step).toBe(2)
    expect(weightsOf(r.trainer)).toEqual(weightsOf(good.trainer))
    expect(r.history.history.loss).toEqual(good.history.history.loss)
  })

  it('a custom training step runs once per batch, its hooks once per execution', async () => {
    const { x, y } = regression(10, 1)
    let calls = 0
    const step: Tr.CustomTrainStep = (t, b) => {
      calls++
      const [t2, logs] = t.trainStep({ x: b.x[0], y: b.y[0] })
      return [t2, { loss: logs.loss, rows: b.size }]
    }
    const seen: string[] = []
    const batchRows: number[] = []
    const probe: Tr.Callbacks.Callback<null> = { name: 'probe', init: () => null, onTrainBatchEnd: (_s, ev) => void batchRows.push(ev.batchLogs.rows) }
    const r = await run(Tr.fit(compiled(net(), { optimizer: 'sgd', loss: 'mse', trainStep: step, stepsPerExecution: 2 }), x, y, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [recorder(seen), probe] }))
    expect(calls).toBe(3)
    expect(seen).toEqual(['b0', 'e1', 'b2', 'e2'])
    // batch logs: the execution's size-weighted mean (4 and 4 rows; then 2)
    expect(batchRows).toEqual([4, 2])
    expect(r.history.history.rows).toEqual([(4 * 4 + 4 * 4 + 2 * 2) / 10])
  })

  it('is saved with the trainer and comes back with loadTrainer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-spe-save-'))
    try {
      await save(compiled(net(), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 4 }), dir)
      expect((await loadTrainer(dir)).config.stepsPerExecution).toBe(4)
      expect((await loadTrainer(dir, { compile: { stepsPerExecution: 2 } })).config.stepsPerExecution).toBe(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
