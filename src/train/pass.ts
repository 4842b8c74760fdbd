/**
 * @internal One pass over batches, and the one fold over it.
 *
 * A `Pass<T>` pulls items (batches, or epoch numbers) one at a time; `foldPass(pass, init, step)` folds
 * a step over them. `fit` (epochs of training batches), its validation, `evaluate` and `predict` are all
 * this fold; it is the only place that awaits the next item and yields to the event loop, so a notebook
 * stays responsive during long runs.
 *
 * Sources: in-memory arrays (`arrayPass`: batches in a given order, cycling when asked for more steps
 * than the data holds) and iterables of batches (`streamPass`: each batch checked as it arrives, later
 * batches against the feature shapes of the first).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ArrayDataset, TensorBatch, BatchSource, DataSpec } from './data.js'
import { prepareBatch, applyClassWeight, arrayBatch, type RowArrays } from './batches.js'
import { yieldToEventLoop } from './engine.js'
import type { TrainError } from './errors.js'
import { dataError } from './errors.js'

/** @internal Training or validation data, checked. */
export type Source =
  | { readonly kind: 'arrays'; readonly d: ArrayDataset }
  | { readonly kind: 'stream'; readonly source: BatchSource; readonly classWeight: Readonly<Record<string, number>> | undefined }

/** @internal An iterator of a batch source, sync or async. */
export type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>

/**
 * @internal A fresh iterator of a batch source. A dataset (`data/`) is asked for the elements of pass
 * `pass` (the epoch), so its shuffles reshuffle each epoch, the same way on every run.
 */
export const iteratorOf = (s: BatchSource, pass = 0): AnyIterator =>
  typeof (s as { iterate?: unknown }).iterate === 'function'
    ? (s as unknown as { iterate: (p: number) => AsyncIterator<unknown> }).iterate(pass)
    : typeof (s as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
    ? (s as AsyncIterable<unknown>)[Symbol.asyncIterator]()
    : (s as Iterable<unknown>)[Symbol.iterator]()

/** @internal Items of one pass: a pull function (`undefined` when the pass is over). */
export interface Pass<T = TensorBatch> {
  next(): Promise<E.Either<TrainError, T | undefined>>
  /** the number of items, when known */
  readonly steps: number | undefined
}

/** @internal The epochs `from, from + 1, …, to - 1`. */
export const rangePass = (from: number, to: number): Pass<number> => {
  let i = from
  return { steps: Math.max(0, to - from), next: async () => E.right(i < to ? i++ : undefined) }
}

/**
 * @internal One pass over array data, in `order` (undefined: as is), cycling when `steps` exceeds the data;
 * the inputs' rows in `spare`'s arrays where it has them (`batches.ts` `giveRows`).
 */
export const arrayPass = (d: ArrayDataset, batchSize: number, order: Int32Array | undefined, steps: number | undefined, spare?: RowArrays): Pass => {
  const perPass = Math.ceil(d.n / batchSize)
  const total = steps ?? perPass
  let b = 0
  return {
    steps: total,
    next: async () => {
      if (b >= total) return E.right(undefined)
      const k = b++ % perPass
      return E.right(arrayBatch(d, k * batchSize, Math.min(d.n, (k + 1) * batchSize), order, spare))
    }
  }
}

/** @internal Batches from an iterator, checked one by one (and weighted by class when asked). */
export const streamPass = (it: AnyIterator, spec0: DataSpec, steps: number | undefined, classWeight: Readonly<Record<string, number>> | undefined, requireTargets: boolean): Pass => {
  let b = 0
  let spec = spec0
  return {
    steps,
    next: async () => {
      if (steps !== undefined && b >= steps) return E.right(undefined)
      let r: IteratorResult<unknown>
      try {
        r = await it.next()
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        return E.left(dataError('BatchSourceError', `${spec.op}: the batch source threw while producing batch ${b}: ${why}`, { op: spec.op, batch: b, cause: err }))
      }
      if (r.done) return E.right(undefined)
      const batch = prepareBatch(r.value, spec, requireTargets, b++)
      if (E.isLeft(batch)) return batch
      // a model not yet built is built for the first batch: later batches must have its feature shapes
      if (spec.inputShapes.length === 0) spec = { ...spec, inputShapes: batch.right.xs.map((x) => [null, ...x.shape.slice(1)]) }
      if (classWeight === undefined) return batch
      return E.map((d: ArrayDataset) => arrayBatch(d, 0, d.n))(
        applyClassWeight(
          {
            xs: batch.right.xs.map((x) => ({ data: x.dataSync(), shape: x.shape })),
            ys: batch.right.ys.map((y) => (y === undefined ? undefined : { data: y.dataSync(), shape: y.shape })),
            sw: batch.right.sw.map((w) => (w === undefined ? undefined : { data: w.dataSync(), shape: w.shape })),
            n: batch.right.size
          },
          classWeight,
          spec.op
        )
      )
    }
  }
}

/** @internal The number of batches of a source when it says so itself (a dataset's finite `cardinality`). */
export const knownSteps = (s: BatchSource): number | undefined => {
  const c = (s as { cardinality?: unknown }).cardinality
  return typeof c === 'number' && Number.isSafeInteger(c) && c >= 0 ? c : undefined
}

/** @internal The pass of a checked source (no shuffling, no class weights: evaluation and validation). */
export const sourcePass = (src: Source, batchSize: number, steps: number | undefined, spec: DataSpec): Pass =>
  src.kind === 'arrays' ? arrayPass(src.d, batchSize, undefined, steps) : streamPass(iteratorOf(src.source), spec, steps, undefined, true)

/** @internal A step of a fold: the next accumulator, or an error that ends the fold. */
export type FoldStep<T, A> = (acc: A, item: T) => E.Either<TrainError, A> | Promise<E.Either<TrainError, A>>

const YIELD_MS = 30

/**
 * @internal Fold `step` over the items of `pass`, from `init`. Before each pull, `halt` may end the fold
 * early with a final accumulator (a stop decision, an aborted signal). The first `Left` — from the pass
 * or from a step — ends the fold. Lets the event loop run every ~30 ms.
 */
export const foldPass = async <T, A>(pass: Pass<T>, init: A, step: FoldStep<T, A>, halt: (acc: A) => A | undefined = () => undefined): Promise<E.Either<TrainError, A>> => {
  let acc = init
  let lastYield = performance.now()
  for (;;) {
    const halted = halt(acc)
    if (halted !== undefined) return E.right(halted)
    const item = await pass.next()
    if (E.isLeft(item)) return item
    if (item.right === undefined) return E.right(acc)
    const r = await step(acc, item.right)
    if (E.isLeft(r)) return r
    acc = r.right
    if (performance.now() - lastYield > YIELD_MS) {
      await yieldToEventLoop()
      lastYield = performance.now()
    }
  }
}
