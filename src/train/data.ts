/**
 * Training data: what `fit`, `evaluate` and `predict` accept, and its checks. Everything is checked
 * before any step runs — sample counts, missing targets, empty inputs, feature shapes against the
 * model, NaN labels — and each problem is a tagged error naming the input or output involved.
 *
 * Accepted forms for `x` (and `y`, `sampleWeight`):
 * - a `Tensor`, a nested array of numbers, or a typed array with a shape (`{data, shape}`);
 * - a list of those (one per model input/output; the elements must be Tensors or `{data, shape}`);
 * - a record by input/output name (`{image: …, meta: …}`);
 * - for `x` alone, an (async) iterable of batches `[x, y]`, `[x, y, sampleWeight]` or `{x, y, sampleWeight}`
 *   (any iterable but an array — pass `batches.values()` for an array of batches).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { Tensor, isTensor, fromValues, dataSync, type NestedArray } from '../core/Tensor.js'
import { type Shape, isShape } from '../core/Shape.js'
import { type TfError, show } from '../core/errors.js'
import { dataError, asTrainError, type TrainError } from './errors.js'
import { nearest } from '../core/nearest.js'

/** Typed arrays accepted as data. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array | Uint8ClampedArray

/** A flat typed (or plain) array with its shape: `{data: new Float32Array(6), shape: [2, 3]}`. */
export interface ShapedArray {
  readonly data: TypedArray | ReadonlyArray<number>
  readonly shape: Shape
}

/** One array of samples (the first axis is the sample axis). */
export type ArrayData = Tensor | NestedArray | ShapedArray | TypedArray

/** Data for all inputs (or all outputs) of a model. */
export type Data = ArrayData | ReadonlyArray<Tensor | ShapedArray> | { readonly [name: string]: ArrayData }

/** One batch from an iterable source. */
export type BatchLike =
  | readonly [Data, Data]
  | readonly [Data, Data, Data]
  | readonly [Data]
  | { readonly x: Data; readonly y?: Data; readonly sampleWeight?: Data }

/** An (async) iterable of batches. Arrays are not batch sources (they are data): use `array.values()`. */
export type BatchSource = Iterable<BatchLike> | AsyncIterable<BatchLike>

/** @internal Host-side samples: a float32 buffer and its shape (first axis = samples). */
export interface Host {
  readonly data: Float32Array
  readonly shape: ReadonlyArray<number>
}

/**
 * @internal A batch of tensors, one per input / output; `sw` is per output (undefined = unweighted);
 * a `y` is undefined only for an output that has neither a loss nor metrics (Keras lets you omit it).
 */
export interface TensorBatch {
  readonly xs: ReadonlyArray<Tensor>
  readonly ys: ReadonlyArray<Tensor | undefined>
  readonly sw: ReadonlyArray<Tensor | undefined>
  readonly size: number
}

/** @internal Validated in-memory data. */
export interface ArrayDataset {
  readonly xs: ReadonlyArray<Host>
  readonly ys: ReadonlyArray<Host | undefined>
  readonly sw: ReadonlyArray<Host | undefined>
  readonly n: number
}

/** @internal What the checks need to know about the model. */
export interface DataSpec {
  readonly op: string
  readonly inputNames: ReadonlyArray<string>
  readonly outputNames: ReadonlyArray<string>
  readonly inputShapes: ReadonlyArray<ReadonlyArray<number | null>>
  /** compile's `sampleWeightMode: 'temporal'`: sample weights must be `[n, time]` */
  readonly temporal?: boolean
  /**
   * per output, whether its targets are needed (it has a loss or metrics); an output that needs none
   * may be left out of `y` (Keras 2.15 `LossesContainer`/`MetricsContainer` skip a `None` target)
   */
  readonly targetsNeeded?: ReadonlyArray<boolean>
  /** refuse NaN and ±Infinity in x (the `checkFiniteInputs` option of fit, evaluate and the batch functions) */
  readonly finiteInputs?: boolean
}

const isTyped = (u: unknown): u is TypedArray => ArrayBuffer.isView(u) && !(u instanceof DataView)

/** Whether `u` is a `{data, shape}` pair. */
export const isShapedArray = (u: unknown): u is ShapedArray =>
  typeof u === 'object' && u !== null && !isTensor(u) && !Array.isArray(u) && 'shape' in u && 'data' in u && isShape((u as ShapedArray).shape) &&
  (isTyped((u as ShapedArray).data) || Array.isArray((u as ShapedArray).data))

const isPlainRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !isTensor(u) && !isTyped(u) && !isShapedArray(u) &&
  !(Symbol.iterator in u) && !(Symbol.asyncIterator in u)

/** Whether `x` is a batch source (an iterable or async iterable that is not an array or typed array). */
export const isBatchSource = (u: unknown): u is BatchSource =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !isTyped(u) && !isTensor(u) &&
  (typeof (u as Iterable<unknown>)[Symbol.iterator] === 'function' || typeof (u as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')

const hostError = (e0: TfError, op: string, where: string): TrainError => {
  const e = asTrainError(e0)
  return dataError(e._tag, `${op}: ${where}: ${e.message}`, { ...e, where })
}

/** @internal One array of samples to the host. */
export const toHost = (u: unknown, where: string, op: string): E.Either<TrainError, Host> => {
  let data: Float32Array
  let shape: ReadonlyArray<number>
  if (isTensor(u)) {
    data = dataSync(u)
    shape = u.shape
  } else if (isShapedArray(u)) {
    const t = fromValues(isTyped(u.data) ? u.data : Float32Array.from(u.data as ReadonlyArray<number>), u.shape)
    if (E.isLeft(t)) return E.left(hostError(t.left, op, where))
    data = dataSync(t.right)
    shape = u.shape
  } else if (isTyped(u) || typeof u === 'number' || Array.isArray(u)) {
    const t = fromValues(u)
    if (E.isLeft(t)) return E.left(hostError(t.left, op, where))
    data = dataSync(t.right)
    shape = t.right.shape
  } else {
    return E.left(
      dataError('InvalidData', `${op}: ${where}: expected a Tensor, a nested array of numbers or {data, shape}, received ${show(u)}`, {
        op,
        where,
        expected: 'Tensor | number[][] | {data, shape}',
        received: u
      })
    )
  }
  if (shape.length === 0)
    return E.left(dataError('InvalidData', `${op}: ${where}: expected samples along a first axis, received a scalar`, { op, where, expected: 'rank >= 1', received: shape }))
  return E.right({ data, shape })
}

/**
 * @internal Split data for several named slots (inputs or outputs) into one item per slot: a record by
 * name, a list in slot order, or a single array for a single slot.
 */
export const perSlot = (u: unknown, names: ReadonlyArray<string>, what: string, op: string, needed?: ReadonlyArray<boolean>): E.Either<TrainError, ReadonlyArray<unknown>> => {
  const optional = (i: number): boolean => needed !== undefined && needed[i] === false
  if (isPlainRecord(u)) {
    const keys = Object.keys(u)
    const unknownKey = keys.find((k) => !names.includes(k))
    if (unknownKey !== undefined) {
      // within half the name as compared (case, '_' and '-' ignored), at least 2 edits: nearest's default
      const near = nearest(unknownKey, names)
      return E.left(
        dataError('UnknownName', `${op}: ${what}: no ${what === 'x' ? 'input' : 'output'} named '${unknownKey}'${near ? ` — did you mean '${near}'?` : ''} The model has: ${names.map((n) => `'${n}'`).join(', ')}.`, {
          op,
          where: what,
          received: unknownKey,
          allowed: names,
          nearest: near
        })
      )
    }
    const missing = names.filter((n, i) => !(n in u) && !optional(i))
    if (missing.length > 0)
      return E.left(
        dataError('MissingData', `${op}: ${what}: missing data for ${missing.map((n) => `'${n}'`).join(', ')} (the model has ${names.map((n) => `'${n}'`).join(', ')})`, {
          op,
          where: what,
          missing,
          expected: names
        })
      )
    return E.right(names.map((n) => u[n]))
  }
  // a non-empty array whose elements are all Tensors or {data, shape} is a list of slots; any other
  // array is nested numbers (one slot)
  const isSlot = (e: unknown): boolean => isTensor(e) || isShapedArray(e)
  const isList = Array.isArray(u) && u.length > 0 && u.some(isSlot) && u.every((e) => isSlot(e) || e === null || e === undefined)
  const items: ReadonlyArray<unknown> = isList ? (u as ReadonlyArray<unknown>) : [u]
  // a list with a null where an output needs its targets
  const hole = isList ? items.findIndex((e, i) => (e === null || e === undefined) && !optional(i)) : -1
  if (hole >= 0)
    return E.left(dataError('MissingData', `${op}: ${what}: missing data for '${names[hole]}' (it has a loss or metrics)`, { op, where: what, missing: [names[hole]], expected: names }))
  if (names.length > 0 && items.length !== names.length)
    return E.left(
      dataError('DataCardinality', `${op}: ${what}: the model has ${names.length} ${what === 'x' ? 'inputs' : 'outputs'} (${names.map((n) => `'${n}'`).join(', ')}), received ${items.length} array${items.length === 1 ? '' : 's'}`, {
        op,
        where: what,
        expected: names.length,
        actual: items.length
      })
    )
  return E.right(items)
}

/**
 * Sample weights per output. As Keras's `LossesContainer._conform_to_outputs` ("allow passing one object
 * that applies to all outputs"): one array for a model of several outputs weights every output; a record
 * by output name may leave outputs out (they are unweighted, Keras's `map_missing_dict_keys`), and a list
 * may hold `null` for an output left unweighted (no output needs weights).
 */
const sampleWeightSlots = (u: unknown, names: ReadonlyArray<string>, op: string): E.Either<TrainError, ReadonlyArray<unknown>> => {
  const isList = Array.isArray(u) && u.length > 0 && u.every((e) => isTensor(e) || isShapedArray(e) || e === null || e === undefined)
  if (names.length > 1 && !isPlainRecord(u) && !isList) return E.right(names.map(() => u))
  // a record or a list per output (no output needs weights: a missing key or a null is unweighted)
  return perSlot(u, names, 'sampleWeight', op, names.map(() => false))
}

/**
 * Keras's `_conform_to_reference_input`: data of rank one less than an input whose last axis is 1 gets
 * that axis (`[10]` for `[null, 1]` is `[10, 1]`); data of rank one more ending in 1 loses it. Only the
 * shape changes; the values are the same.
 */
const conformInputs = (xs: ReadonlyArray<Host>, spec: DataSpec): ReadonlyArray<Host> =>
  spec.inputShapes.length !== xs.length
    ? xs
    : xs.map((h, i) => {
        const ref = spec.inputShapes[i]
        const s = h.shape
        if (s.length === ref.length - 1 && ref[ref.length - 1] === 1) return { data: h.data, shape: [...s, 1] }
        if (s.length === ref.length + 1 && s[s.length - 1] === 1) return { data: h.data, shape: s.slice(0, -1) }
        return h
      })

const slotName = (names: ReadonlyArray<string>, i: number, what: string): string => (names.length > 1 ? `${what} '${names[i]}'` : what)

const traverse = <A, B>(as: ReadonlyArray<A>, f: (a: A, i: number) => E.Either<TrainError, B>): E.Either<TrainError, B[]> => {
  const out: B[] = []
  for (let i = 0; i < as.length; i++) {
    const r = f(as[i], i)
    if (E.isLeft(r)) return r
    out.push(r.right)
  }
  return E.right(out)
}

/** @internal Check feature shapes against the model's known input shapes (batch axis free). */
export const checkFeatureShapes = (xs: ReadonlyArray<{ readonly shape: ReadonlyArray<number> }>, spec: DataSpec): E.Either<TrainError, void> => {
  if (spec.inputShapes.length !== xs.length) return E.right(undefined)
  for (let i = 0; i < xs.length; i++) {
    const exp = spec.inputShapes[i]
    const act = xs[i].shape
    const bad = exp.length !== act.length || exp.some((d, j) => j > 0 && d !== null && d !== act[j])
    if (bad) {
      const name = spec.inputNames[i] ?? `input ${i}`
      return E.left(
        dataError(
          'ShapeMismatch',
          `${spec.op}: input '${name}' expects samples of shape ${show(exp.slice(1))} (batch shape ${show(exp)}), received data of shape ${show(act)}`,
          { op: spec.op, where: `x '${name}'`, expected: exp, actual: act }
        )
      )
    }
  }
  return E.right(undefined)
}

const FINITE_TAGS = { labels: 'InvalidLabels', 'sample weights': 'InvalidSampleWeights', features: 'InvalidFeatures' } as const

const checkFinite = (h: Host, where: string, op: string, what: keyof typeof FINITE_TAGS): E.Either<TrainError, void> => {
  const d = h.data
  for (let i = 0; i < d.length; i++)
    if (!Number.isFinite(d[i])) {
      const per = d.length / (h.shape[0] || 1)
      const sample = Math.floor(i / per)
      const position = i - sample * per
      const hint = what === 'features' ? ' (the option checkFiniteInputs: false skips this check)' : ''
      return E.left(
        dataError(FINITE_TAGS[what], `${op}: ${where} has a non-finite value (${d[i]}) at sample ${sample}${per > 1 ? `, position ${position}` : ''}: ${what} must be finite numbers${hint}`, {
          op,
          where,
          index: sample,
          position,
          received: d[i]
        })
      )
    }
  return E.right(undefined)
}

const checkCardinality = (op: string, groups: ReadonlyArray<readonly [string, ReadonlyArray<Host | undefined>]>): E.Either<TrainError, number> => {
  const counts = groups.map(([name, hs]) => [name, hs.filter((h): h is Host => h !== undefined).map((h) => h.shape[0])] as const)
  const all = counts.flatMap(([, c]) => c)
  const n = all[0] ?? 0
  if (all.some((c) => c !== n))
    return E.left(
      dataError(
        'DataCardinality',
        `${op}: data cardinality is ambiguous: ${counts
          .filter(([, c]) => c.length > 0)
          .map(([name, c]) => `${name} sizes: ${c.join(', ')}`)
          .join('; ')}. Make sure all arrays contain the same number of samples.`,
        { op, sizes: Object.fromEntries(counts) }
      )
    )
  if (n === 0) return E.left(dataError('EmptyData', `${op}: the data has no samples (x has 0 rows); at least one sample is needed`, { op, expected: '>= 1 sample', actual: 0 }))
  return E.right(n)
}

/**
 * @internal Validate in-memory data: x (and y unless `requireTargets` is false) and sample weights,
 * all with the same sample count and at least one sample, features matching the model, finite labels.
 */
export const prepareArrays = (
  x: unknown,
  y: unknown,
  sampleWeight: unknown,
  spec: DataSpec,
  requireTargets = true
): E.Either<TrainError, ArrayDataset> => {
  const { op } = spec
  if (x === undefined || x === null) return E.left(dataError('MissingData', `${op}: no input data: pass x (the samples) as the first argument`, { op, where: 'x' }))
  if (requireTargets && (y === undefined || y === null))
    return E.left(
      dataError('MissingTargets', `${op}: no targets: pass y (the labels) after x, or an iterable of [x, y] batches as x`, { op, where: 'y', expected: 'targets' })
    )
  const xItems = perSlot(x, spec.inputNames, 'x', op)
  if (E.isLeft(xItems)) return xItems
  const xs = traverse(xItems.right, (u, i) => toHost(u, slotName(spec.inputNames, i, 'x'), op))
  if (E.isLeft(xs)) return xs
  let ys: Array<Host | undefined> = []
  if (y !== undefined && y !== null) {
    const yItems = perSlot(y, spec.outputNames, 'y', op, spec.targetsNeeded)
    if (E.isLeft(yItems)) return yItems
    const r = traverse(yItems.right, (u, i) => (u === undefined || u === null ? E.right(undefined) : toHost(u, slotName(spec.outputNames, i, 'y'), op)))
    if (E.isLeft(r)) return r
    ys = r.right
  }
  let sw: Array<Host | undefined> = ys.map(() => undefined)
  if (sampleWeight !== undefined && sampleWeight !== null) {
    const items = sampleWeightSlots(sampleWeight, spec.outputNames, op)
    if (E.isLeft(items)) return items
    const r = traverse(items.right, (u, i) => (u === undefined || u === null ? E.right(undefined) : toHost(u, slotName(spec.outputNames, i, 'sampleWeight'), op)))
    if (E.isLeft(r)) return r
    sw = r.right
  }
  const n = checkCardinality(op, [
    ['x', xs.right],
    ['y', ys],
    ['sampleWeight', sw]
  ])
  if (E.isLeft(n)) return n
  const conformed = conformInputs(xs.right, spec)
  const shapes = checkFeatureShapes(conformed, spec)
  if (E.isLeft(shapes)) return shapes
  if (spec.finiteInputs === true)
    for (let i = 0; i < conformed.length; i++) {
      const r = checkFinite(conformed[i], slotName(spec.inputNames, i, 'x'), op, 'features')
      if (E.isLeft(r)) return r
    }
  for (let i = 0; i < ys.length; i++) {
    const h = ys[i]
    if (h === undefined) continue
    const r = checkFinite(h, slotName(spec.outputNames, i, 'y'), op, 'labels')
    if (E.isLeft(r)) return r
  }
  for (let i = 0; i < sw.length; i++) {
    const h = sw[i]
    if (h === undefined) continue
    if (h.shape.length > 2 || (spec.temporal === true && h.shape.length !== 2))
      return E.left(
        dataError(
          'InvalidSampleWeights',
          spec.temporal === true
            ? `${op}: with sampleWeightMode 'temporal', sampleWeight must have one number per sample and time step (shape [n, time]), received shape ${show(h.shape)}`
            : `${op}: sampleWeight must be one number per sample (shape [n]) or per sample and time step (shape [n, time]), received shape ${show(h.shape)}`,
          { op, where: slotName(spec.outputNames, i, 'sampleWeight'), expected: spec.temporal === true ? '[n, time]' : '[n] | [n, time]', actual: h.shape }
        )
      )
    const r = checkFinite(h, slotName(spec.outputNames, i, 'sampleWeight'), op, 'sample weights')
    if (E.isLeft(r)) return r
  }
  return E.right({ xs: conformed, ys, sw, n: n.right })
}
