/**
 * @internal Executions (`stepsPerExecution`, Keras's `steps_per_execution`): several batches run as one
 * compiled call.
 *
 * `executionPass(pass, n)` groups a pass's batches into executions of `n` — the last one of a pass is
 * shorter, so an execution never crosses the end of an epoch (Keras truncates the last execution when
 * the number of steps is known; for data of unknown length it stops where the data does). The callers
 * run one execution per item: `fit` its training steps (`executeSteps`), `evaluate` and fit's validation
 * their evaluation steps (`evaluateSteps`), `predict` its prediction steps (`predictSteps`), each ONE
 * call of a jitted program of `n` steps (or the steps one after another with `runEagerly`).
 *
 * Law: an execution of `n` steps gives the trainer and the per-step outputs of `n` single steps, bit for
 * bit (compiled: every step's results are outputs of the program, so no kernel fuses across steps, and
 * step `i` draws its random numbers from the key of step `trainer.step + i`).
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import { bundle } from '../core/Key.js'
import type { Trainer } from './Trainer.js'
import type { Logs } from './History.js'
import type { TensorBatch } from './data.js'
import type { Pass } from './pass.js'
import type { TrainError } from './errors.js'
import type { StepOut, EvalOut, BatchIn } from './step.js'
import { stepCoreAsync, evalCore, stepTargets, onesOf, runCustomStep } from './engine.js'

/** @internal The batches of `pass` in executions of up to `n` (the last of the pass may be shorter). */
export const executionPass = (pass: Pass, n: number): Pass<ReadonlyArray<TensorBatch>> => ({
  steps: pass.steps === undefined ? undefined : Math.ceil(pass.steps / n),
  next: async () => {
    const out: TensorBatch[] = []
    while (out.length < n) {
      const b = await pass.next()
      if (E.isLeft(b)) return b
      if (b.right === undefined) break
      out.push(b.right)
    }
    return E.right(out.length === 0 ? undefined : out)
  }
})

const batchIn = (b: TensorBatch): BatchIn => ({ xs: b.xs, ys: stepTargets(b), sampleWeight: b.sw.map((w) => w ?? onesOf(b.size)) })

const fnsOf = (t: Trainer): NonNullable<Trainer['fns']> => t.fns as NonNullable<Trainer['fns']>

/** @internal Run the training steps of one execution on a ready trainer: the trainer after them and each step's output. */
export const executeSteps = async (t: Trainer, bs: ReadonlyArray<TensorBatch>): Promise<readonly [Trainer, ReadonlyArray<StepOut>]> => {
  if (bs.length === 1) {
    const [t2, out] = await stepCoreAsync(t, bs[0])
    return [t2, [out]]
  }
  const { outs } = await fnsOf(t).trainManyAsync(
    { params: t.params, optState: t.optState as NonNullable<Trainer['optState']>, state: t.state, batches: bs.map(batchIn) },
    bundle(bs.map((_, i) => t.stepKey(t.step + i)))
  )
  const last = outs[outs.length - 1]
  return [t.stepped(last.params, last.state, last.optState, t.step + bs.length), outs]
}

/** @internal The evaluation steps of one execution (inference mode). */
export const evaluateSteps = (t: Trainer, bs: ReadonlyArray<TensorBatch>): ReadonlyArray<EvalOut> =>
  bs.length === 1 ? [evalCore(t, bs[0])] : fnsOf(t).evaluateMany({ params: t.params, state: t.state, batches: bs.map(batchIn) }, t.inferenceKey()).outs

/** @internal The prediction steps of one execution: per batch, one tensor per output. */
export const predictSteps = (t: Trainer, bs: ReadonlyArray<TensorBatch>): ReadonlyArray<ReadonlyArray<Tensor>> =>
  bs.length === 1
    ? [fnsOf(t).predict({ params: t.params, state: t.state, xs: bs[0].xs }, t.inferenceKey())]
    : fnsOf(t).predictMany({ params: t.params, state: t.state, batches: bs.map((b) => ({ xs: b.xs })) }, t.inferenceKey()).outs

/**
 * @internal A custom training step over one execution: the steps one after another (a custom step is
 * any function, so it is one awaited call rather than one compiled program). Stops at the first error;
 * `onStep` sees each completed step.
 */
export const customSteps = (t0: Trainer, bs: ReadonlyArray<TensorBatch>, op: string, onStep: (t: Trainer) => void): E.Either<TrainError, readonly [Trainer, ReadonlyArray<Logs>]> => {
  let t = t0
  const logs: Logs[] = []
  for (const b of bs) {
    const r = runCustomStep(t, b, op)
    if (E.isLeft(r)) return r
    t = r.right[0]
    logs.push(r.right[1])
    onStep(t)
  }
  return E.right([t, logs])
}
