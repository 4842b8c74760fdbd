/**
 * @internal Batches from checked data: rows of host arrays as tensors (in a shuffled order or not),
 * the validation split from the tail, Keras's `classWeight` folded into the sample weights, and one
 * batch from an iterable normalised with the same checks as in-memory data (`data.ts`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, dataSync, fromBuffer, storageOf } from '../core/Tensor.js'
import { thaw } from '../core/frozen.js'
import { size as shapeSize } from '../core/Shape.js'
import { show } from '../core/errors.js'
import { dataError, type TrainError } from './errors.js'
import { type Host, type ArrayDataset, type TensorBatch, type DataSpec, prepareArrays } from './data.js'

/** Rows at least this long are copied with `set` over a subarray; shorter ones element by element. */
const ROW_SET_MIN = 64

/**
 * @internal One `fit`'s spare arrays for its batches' input rows: the arrays of earlier batches that no
 * one can read any more ({@link giveRows}), so that the next batch's rows need no fresh memory. A fresh
 * 400 KB batch per step was most of a compiled MLP step's new memory once its state was given back
 * (`donate.ts`): its page faults and the collections it triggered slowed the first epochs.
 */
export interface RowArrays {
  /** the arrays made for this fit's rows: only these are ever given back */
  readonly made: WeakSet<Float32Array>
  /** spare arrays by length */
  readonly free: Map<number, Float32Array[]>
}

/** @internal No spare arrays yet. */
export const rowArrays = (): RowArrays => ({ made: new WeakSet(), free: new Map() })

let reuse = true
/** @internal Turn giving batch rows back on or off (A/B measurements and tests). */
export const setRowReuse = (on: boolean): void => {
  reuse = on
}
/** @internal Counters for tests and diagnostics: arrays given back, and rows written into a spare array. */
export const rowReuseStats = { given: 0, reused: 0 }

/** Most spare arrays kept of one length (a batch per execution step and input, with room for a few). */
export const SPARE_ROWS_PER_LENGTH = 4

/** An array of `n` floats for rows: a spare one, or a fresh one (counted as made for `spare`). */
const rowArray = (n: number, spare: RowArrays | undefined): Float32Array => {
  const kept = spare?.free.get(n)?.pop()
  if (kept !== undefined) {
    rowReuseStats.reused++
    return kept
  }
  const a = new Float32Array(n)
  spare?.made.add(a)
  return a
}

/**
 * @internal Give the arrays of `bs`' inputs back to `spare`, for later batches' rows: those made for
 * `spare`, except any whose buffer is in `live` (an output or a state that still reaches it). The caller
 * vouches that nothing else can read them: the step that took them is over, and no code but kernels saw
 * them (a compiled replay; not a recording, an eager step or a custom step). Answers how many were kept.
 */
export const giveRows = (spare: RowArrays, bs: ReadonlyArray<TensorBatch>, live: ReadonlySet<ArrayBufferLike>): number => {
  let kept = 0
  if (!reuse) return 0
  for (const b of bs)
    for (const x of b.xs) {
      const a = storageOf(x)
      if (!(a instanceof Float32Array) || !spare.made.has(a) || live.has(a.buffer)) continue
      const list = spare.free.get(a.length) ?? []
      if (list.length >= SPARE_ROWS_PER_LENGTH || list.includes(a)) continue
      // it will be written again: whatever a stamp said of its contents no longer holds (core/frozen.ts)
      thaw(a)
      list.push(a)
      spare.free.set(a.length, list)
      kept++
      rowReuseStats.given++
    }
  return kept
}

/**
 * @internal Rows `[start, end)` of host data (optionally through an index permutation) as a tensor; into a
 * spare array of `spare` when it has one (see {@link giveRows}).
 */
export const rows = (h: Host, start: number, end: number, order?: Int32Array, spare?: RowArrays): Tensor => {
  const per = shapeSize(h.shape.slice(1))
  // every element is written below, so a spare array's old rows never show
  const out = rowArray((end - start) * per, spare)
  if (order === undefined) out.set(h.data.subarray(start * per, end * per))
  else if (per >= ROW_SET_MIN) for (let r = start; r < end; r++) out.set(h.data.subarray(order[r] * per, (order[r] + 1) * per), (r - start) * per)
  // short rows (targets, weights): a plain loop, not a subarray object per row
  else for (let r = start, d = 0; r < end; r++) for (let s = order[r] * per, e = s + per; s < e; s++, d++) out[d] = h.data[s]
  return fromBuffer(out, [end - start, ...h.shape.slice(1)])
}

/** @internal Host rows `[start, end)` (a copy). */
export const hostRows = (h: Host, start: number, end: number): Host => {
  const per = shapeSize(h.shape.slice(1))
  return { data: h.data.slice(start * per, end * per), shape: [end - start, ...h.shape.slice(1)] }
}

/** @internal Split off the last `fraction` of the samples (Keras `validationSplit`: from the tail, before shuffling). */
export const splitTail = (d: ArrayDataset, fraction: number, op: string): E.Either<TrainError, readonly [ArrayDataset, ArrayDataset]> => {
  const at = Math.floor(d.n * (1 - fraction))
  if (at <= 0 || at >= d.n)
    return E.left(
      dataError('EmptyData', `${op}: validationSplit ${fraction} of ${d.n} samples leaves ${at} for training and ${d.n - at} for validation; both need at least one`, {
        op,
        where: 'validationSplit',
        received: fraction
      })
    )
  const part = (a: number, b: number): ArrayDataset => ({
    xs: d.xs.map((h) => hostRows(h, a, b)),
    ys: d.ys.map((h) => (h === undefined ? undefined : hostRows(h, a, b))),
    sw: d.sw.map((h) => (h === undefined ? undefined : hostRows(h, a, b))),
    n: b - a
  })
  return E.right([part(0, at), part(at, d.n)])
}

/**
 * @internal The class of each target entry, as Keras's `_class_weights_map_fn`: the argmax over the last
 * axis of a target of rank ≥ 2 whose last axis is > 1 (one-hot), the rounded value otherwise (a last axis
 * of 1 is dropped). So a sequence target `[n, time, classes]` has one class per time step: `[n, time]`.
 */
const classesOf = (y: Host): { readonly cls: Int32Array; readonly shape: ReadonlyArray<number> } => {
  const last = y.shape.length >= 2 ? y.shape[y.shape.length - 1] : 1
  const shape = y.shape.length >= 2 ? y.shape.slice(0, -1) : y.shape
  const out = new Int32Array(y.data.length / Math.max(1, last))
  for (let i = 0; i < out.length; i++) {
    if (last === 1) out[i] = Math.round(y.data[i])
    else {
      let best = 0
      for (let j = 1; j < last; j++) if (y.data[i * last + j] > y.data[i * last + best]) best = j
      out[i] = best
    }
  }
  return { cls: out, shape }
}

/**
 * @internal Fold Keras `classWeight` into the sample weights of a single-output dataset: the weight of
 * each entry's class times its sample weight (Keras multiplies them). Sequence targets get one weight
 * per time step (temporal weights, `[n, time]`).
 */
export const applyClassWeight = (d: ArrayDataset, classWeight: Readonly<Record<string, number>>, op: string): E.Either<TrainError, ArrayDataset> => {
  const y = d.ys[0]
  if (d.ys.length !== 1 || y === undefined)
    return E.left(dataError('InvalidOption', `${op}: classWeight is only supported for models with a single output; use sampleWeight per output instead`, { op, where: 'classWeight' }))
  const { cls, shape } = classesOf(y)
  const missing = [...new Set(cls)].filter((c) => !(String(c) in classWeight)).sort((a, b) => a - b)
  if (missing.length > 0)
    return E.left(
      dataError('InvalidOption', `${op}: classWeight has no weight for class${missing.length > 1 ? 'es' : ''} ${missing.join(', ')} found in y`, {
        op,
        where: 'classWeight',
        missing
      })
    )
  const base = d.sw[0]
  const out = base !== undefined && base.data.length > cls.length ? base.shape : shape
  if (out.length > 2)
    return E.left(
      dataError('InvalidOption', `${op}: classWeight gives one weight per entry of y's leading axes ${JSON.stringify(shape)}, but sample weights may have at most two axes ([n] or [n, time])`, {
        op,
        where: 'classWeight',
        actual: shape
      })
    )
  const w = new Float32Array(shapeSize(out))
  // the smaller of the class weights and the sample weights repeats over the trailing axis of the other
  const kc = w.length / cls.length
  const kb = base === undefined ? 1 : w.length / base.data.length
  for (let i = 0; i < w.length; i++) w[i] = classWeight[String(cls[Math.floor(i / kc)])] * (base === undefined ? 1 : base.data[Math.floor(i / kb)])
  return E.right({ ...d, sw: [{ data: w, shape: out }] })
}

/**
 * @internal A batch from in-memory data: rows `[start, end)` of the (possibly shuffled) order; its inputs
 * in spare arrays of `spare` where it has them.
 */
export const arrayBatch = (d: ArrayDataset, start: number, end: number, order?: Int32Array, spare?: RowArrays): TensorBatch => ({
  xs: d.xs.map((h) => rows(h, start, end, order, spare)),
  ys: d.ys.map((h) => (h === undefined ? undefined : rows(h, start, end, order))),
  sw: d.sw.map((h) => (h === undefined ? undefined : reshape1(rows(h, start, end, order)))),
  size: end - start
})

/** `[n, 1]` weights are one per sample (`[n]`); `[n, time]` weights stay per time step. */
const reshape1 = (t: Tensor): Tensor => (t.shape.length === 2 && t.shape[1] === 1 ? fromBuffer(dataSync(t), [t.shape[0]]) : t)

/** @internal Normalise one batch (from an iterable, `trainOnBatch` or `trainStep`) to tensors, with the same checks. */
export const prepareBatch = (b: unknown, spec: DataSpec, requireTargets: boolean, index?: number): E.Either<TrainError, TensorBatch> => {
  const op = index === undefined ? spec.op : `${spec.op} (batch ${index})`
  let x: unknown
  let y: unknown
  let sw: unknown
  if (Array.isArray(b) && b.length >= 1 && b.length <= 3) [x, y, sw] = b as unknown[]
  else if (typeof b === 'object' && b !== null && 'x' in b) ({ x, y, sampleWeight: sw } = b as { x: unknown; y?: unknown; sampleWeight?: unknown })
  else
    return E.left(
      dataError('InvalidData', `${op}: expected a batch [x, y], [x, y, sampleWeight] or {x, y, sampleWeight}, received ${show(b)}`, {
        op,
        expected: '[x, y] | [x, y, sampleWeight] | {x, y, sampleWeight}',
        received: b
      })
    )
  const d = prepareArrays(x, y, sw, { ...spec, op }, requireTargets)
  if (E.isLeft(d)) return d
  return E.right(arrayBatch(d.right, 0, d.right.n))
}
