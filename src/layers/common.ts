/**
 * What `Sequential` and functional `Model` share, written once: naming layers, listing weights in
 * Keras's order (`dense/kernel`, `dense/bias`, …), `getWeights`/`setWeights`, `countParams`,
 * `getLayer`, the `summary()` lines (summary.ts formats the table), and `predict` (batched, building
 * a deferred model on the way).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, isTensor, fromValues, type NestedArray } from '../core/Tensor.js'
import { type Tree, isRecord } from '../core/Tree.js'
import { key } from '../core/Key.js'
import { tfError, type TfError, show, orThrow, attempt } from '../core/errors.js'
import { size, shapeEq, type Shape } from '../core/Shape.js'
import { slice, concat, reshape } from '../primitives/index.js'
import type { ModelLike } from './Model.js'
import { type AnyLayer, errors, shapeFits, setTrainable, INTERNALS } from './Layer.js'
import type { Regularizer, Constraint } from './weights.js'
import type { ParamSpec } from './Model.js'
import { summaryTable, type SummaryOptions, type SummaryMethod } from './summary.js'

export type { SummaryOptions, SummaryMethod }

/** One weight of a model: Keras-style name, value, and whether training updates it. */
export interface Weight {
  readonly name: string
  readonly value: Tensor
  readonly shape: Shape
  readonly trainable: boolean
}

/** @internal Where a weight lives: in `params` or `state`, at a path; whether training moves it; its regularizer and constraint. */
export interface Slot {
  readonly name: string
  readonly where: 'params' | 'state'
  /** params of a layer that is not frozen (state is never trainable) */
  readonly trainable: boolean
  readonly path: ReadonlyArray<string | number>
  readonly regularizer?: Regularizer
  readonly constraint?: Constraint
}

/** @internal What a model keeps besides the `ModelLike` members, under a symbol key. */
export interface Internals {
  /** the weights of a params/state pair of this model, relative to its own roots */
  readonly slots: (params: Tree, state: Tree) => ReadonlyArray<Slot>
  /** how predictions are returned */
  readonly outputStyle: 'single' | 'list' | 'record'
  /** how several inputs may be passed */
  readonly inputStyle: 'single' | 'list' | 'record'
  /** summary rows: name (type), output shape, param count, connected to */
  readonly rows: () => ReadonlyArray<readonly [string, string, number, string]>
  /** a functional model that is a chain, summarised with the Sequential layout (Keras's `sequential_like`) */
  readonly sequentialLike?: boolean
  /** the same model under another name */
  readonly rename: (name: string) => AnyLayer
  /** the same model, frozen (`false`) or not as a whole */
  readonly retrain: (trainable: boolean) => AnyLayer
  /** the same model with some of its layers replaced (same names, same weights) */
  readonly mapLayers: (f: (layer: AnyLayer) => AnyLayer) => AnyLayer
}

export { INTERNALS }

/** @internal A model value as the shared functions see it. */
export interface ModelCore extends ModelLike {
  readonly layers: ReadonlyArray<AnyLayer>
  readonly trainable?: boolean
  readonly [INTERNALS]: Internals
}

/** Whether a value is a model (Sequential or functional). */
export const isModelCore = (u: unknown): u is ModelCore => typeof u === 'object' && u !== null && INTERNALS in u

// ---------------------------------------------------------------------------------------------------
// naming

/**
 * Give layers unique names, in order: a user-given name is kept (a clash is `DuplicateLayerName`); a
 * default name is numbered Keras-style (`dense`, `dense_1`, …) past every name taken.
 */
export const uniqueName = (taken: ReadonlySet<string>, base: string): string => {
  if (!taken.has(base)) return base
  let i = 1
  while (taken.has(`${base}_${i}`)) i++
  return `${base}_${i}`
}

// ---------------------------------------------------------------------------------------------------
// weights

type Path = ReadonlyArray<string | number>


/** Leaves with their paths, records in insertion order (so dense lists kernel before bias, as Keras). */
const walk = (t: Tree, path: Array<string | number>, out: Array<Path>): void => {
  if (isTensor(t)) out.push(path.slice())
  else if (Array.isArray(t)) (t as ReadonlyArray<Tree>).forEach((x, i) => walk(x, [...path, i], out))
  else if (isRecord(t)) for (const k of Object.keys(t)) walk(t[k], [...path, k], out)
}

/** The weight slots of one layer given its params and state, relative to them. */
export const layerSlots = (layer: AnyLayer, params: Tree, state: Tree): ReadonlyArray<Slot> => {
  const frozen = layer.trainable === false
  if (isModelCore(layer))
    return layer[INTERNALS].slots(params, state).map((s) => ({ ...s, name: `${layer.name}/${s.name}`, trainable: s.trainable && !frozen }))
  const ps: Path[] = []
  const ss: Path[] = []
  walk(params, [], ps)
  walk(state, [], ss)
  const nm = (p: Path) => `${layer.name}/${p.length === 0 ? 'value' : p.join('/')}`
  // keyed by the whole path (`query/kernel`, attention layers) or by the top-level param (`kernel`)
  const own = <A>(r: { readonly [k: string]: A } | undefined, p: Path): A | undefined =>
    r === undefined || p.length === 0
      ? undefined
      : Object.prototype.hasOwnProperty.call(r, p.join('/'))
        ? r[p.join('/')]
        : Object.prototype.hasOwnProperty.call(r, p[0])
          ? r[p[0] as string]
          : undefined
  return [
    ...ps.map((p): Slot => {
      const regularizer = own(layer.regularizers, p)
      const constraint = own(layer.constraints, p)
      return { name: nm(p), where: 'params', trainable: !frozen, path: p, ...(regularizer ? { regularizer } : {}), ...(constraint ? { constraint } : {}) }
    }),
    ...ss.map((p): Slot => ({ name: nm(p), where: 'state', trainable: false, path: p }))
  ]
}

/** The params leaves of a model's slots, as training sees them. */
export const paramSpecsOf = (slots: ReadonlyArray<Slot>): ReadonlyArray<ParamSpec> =>
  Object.freeze(
    slots
      .filter((s) => s.where === 'params')
      .map((s) => Object.freeze({ name: s.name, path: s.path, trainable: s.trainable, ...(s.regularizer ? { regularizer: s.regularizer } : {}), ...(s.constraint ? { constraint: s.constraint } : {}) }))
  )

/** Prefix the paths of slots. */
export const under = (prefix: string | number, slots: ReadonlyArray<Slot>): Slot[] => slots.map((s) => ({ ...s, path: [prefix, ...s.path] }))

/** The tree at a path. */
export const getAt = (t: Tree, path: Path): Tree => path.reduce<Tree>((acc, k) => (acc as { readonly [k: string]: Tree })[k as string], t)

/** A new tree with the value at a path replaced (shares the rest, freezes what it rebuilds). */
export const setAt = (t: Tree, path: Path, v: Tree): Tree => {
  if (path.length === 0) return v
  const [k, ...rest] = path
  if (Array.isArray(t)) {
    const a = (t as ReadonlyArray<Tree>).slice()
    a[k as number] = setAt(a[k as number], rest, v)
    return Object.freeze(a)
  }
  const r = t as { readonly [k: string]: Tree }
  return Object.freeze({ ...r, [k]: setAt(r[k as string], rest, v) })
}

/** A model's slots, its own frozen flag applied (a frozen model has no trainable weight). */
export const modelSlots = (m: ModelCore): ReadonlyArray<Slot> =>
  m[INTERNALS].slots(m.params, m.state).map((s) => (m.trainable === false ? { ...s, trainable: false } : s))

/** The weights of a model, in Keras order (per layer: its trainable weights, then its state). */
export const weightsOf = (m: ModelCore): ReadonlyArray<Weight> =>
  Object.freeze(
    modelSlots(m).map((s) => {
      const value = getAt(s.where === 'params' ? m.params : m.state, s.path) as Tensor
      return Object.freeze({ name: s.name, value, shape: value.shape, trainable: s.trainable })
    })
  )

/** `getWeights()`: the weight values in order; `Left(NotBuilt)` if the model has no weights yet. */
export const getWeights = (m: ModelCore): E.Either<TfError, ReadonlyArray<Tensor>> =>
  m.built ? E.right(weightsOf(m).map((w) => w.value)) : E.left(errors.notBuilt(m.name, 'getWeights'))

/** Values a user may pass as weights or data. */
export type ArrayLikeData = Tensor | NestedArray | { readonly data: ArrayLike<number>; readonly shape: Shape }

const isTypedData = (u: unknown): u is { readonly data: ArrayLike<number>; readonly shape: Shape } =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !isTensor(u) && ArrayBuffer.isView((u as { data: unknown }).data) && Array.isArray((u as { shape: unknown }).shape)

/** Decode one data value (a Tensor, nested numbers, or `{data: typedArray, shape}`) to a tensor. */
export const toTensor = (x: unknown): E.Either<TfError, Tensor> => {
  if (isTensor(x)) return E.right(x)
  if (isTypedData(x)) return fromValues(x.data, x.shape)
  return fromValues(x)
}

/** `setWeights(ws)`: the same model with new weight values (count and shapes checked). */
export const setWeights = <M extends ModelCore>(m: M, ws: ReadonlyArray<ArrayLikeData>): E.Either<TfError, M> => {
  if (!m.built) return E.left(errors.notBuilt(m.name, 'setWeights'))
  const slots = m[INTERNALS].slots(m.params, m.state)
  if (!Array.isArray(ws) || ws.length !== slots.length) return E.left(errors.weightCountMismatch(m.name, slots.length, Array.isArray(ws) ? ws.length : 0))
  let params = m.params
  let state = m.state
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]
    const t = toTensor(ws[i])
    if (E.isLeft(t)) return t
    const old = getAt(s.where === 'params' ? params : state, s.path) as Tensor
    if (!shapeEq(old.shape, t.right.shape)) return E.left(errors.weightShapeMismatch(s.name, old.shape, t.right.shape))
    if (s.where === 'params') params = setAt(params, s.path, t.right)
    else state = setAt(state, s.path, t.right)
  }
  return E.right(m.withWeights(params, state) as M)
}

/** `countParams()`: the number of scalars in all weights; `Left(NotBuilt)` before build. */
export const countParams = (m: ModelCore): E.Either<TfError, number> =>
  m.built ? E.right(weightsOf(m).reduce((n, w) => n + size(w.shape), 0)) : E.left(errors.notBuilt(m.name, 'countParams'))

/** `getLayer(name | index)`. */
export const getLayer = (m: ModelCore, nameOrIndex: string | number): E.Either<TfError, AnyLayer> => {
  if (typeof nameOrIndex === 'number') {
    if (!Number.isInteger(nameOrIndex) || nameOrIndex < 0 || nameOrIndex >= m.layers.length) return E.left(errors.layerIndexOutOfRange(nameOrIndex, m.layers.length))
    return E.right(m.layers[nameOrIndex])
  }
  const l = m.layers.find((x) => x.name === nameOrIndex)
  return l ? E.right(l) : E.left(errors.layerNotFound(String(nameOrIndex), m.layers.map((x) => x.name)))
}

// ---------------------------------------------------------------------------------------------------
// summary (the table itself: summary.ts)

/** The Keras 2.15 summary (`print_summary`) as its lines (see {@link summaryTable}); `Left(NotBuilt)` before build. */
export const summaryLines = (m: ModelCore, opts: { readonly lineLength?: number } = {}): E.Either<TfError, ReadonlyArray<string>> => {
  if (!m.built) return E.left(errors.notBuilt(m.name, 'summary'))
  const internals = m[INTERNALS]
  const sequentialLike = m.kind !== 'Functional' || internals.sequentialLike === true
  return E.right(summaryTable(m.name, sequentialLike, internals.rows(), weightsOf(m), opts.lineLength))
}

/** The Keras summary table as one string (its lines joined by newlines); `Left(NotBuilt)` before build. */
export const summary = (m: ModelCore, opts: { readonly lineLength?: number } = {}): E.Either<TfError, string> => E.map((ls: ReadonlyArray<string>) => ls.join('\n'))(summaryLines(m, opts))

// ---------------------------------------------------------------------------------------------------
// predict / call

/** Options of `predict`. */
export interface PredictOptions {
  /** rows per batch (default 32) */
  readonly batchSize?: number
}

/** Data for a model's inputs: one value, an array (one per input) or a record by input name. */
export type InputData = ArrayLikeData | ReadonlyArray<ArrayLikeData> | { readonly [name: string]: ArrayLikeData }

/** Decode the inputs of a model: one tensor per input, in the model's input order. */
export const decodeInputs = (m: ModelCore, x: unknown): E.Either<TfError, ReadonlyArray<Tensor>> => {
  const n = Math.max(1, m.inputNames.length)
  if (n === 1) {
    const single = Array.isArray(x) && x.length === 1 && (isTensor(x[0]) || isTypedData(x[0])) ? x[0] : x
    return E.map((t: Tensor) => [t])(toTensor(single))
  }
  if (Array.isArray(x)) {
    if (x.length !== n)
      return E.left(tfError('InvalidData', `model "${m.name}" expects ${n} inputs (${m.inputNames.join(', ')}), received a list of ${x.length}`, { expected: n, received: x.length }))
    return E.sequenceArray(x.map(toTensor))
  }
  if (typeof x === 'object' && x !== null && !isTensor(x) && !isTypedData(x)) {
    const r = x as Record<string, unknown>
    const missing = m.inputNames.filter((k) => !(k in r))
    if (missing.length > 0)
      return E.left(tfError('InvalidData', `model "${m.name}": missing data for inputs ${missing.map((k) => `'${k}'`).join(', ')}; expected a record with keys ${m.inputNames.map((k) => `'${k}'`).join(', ')}`, { expected: m.inputNames, received: Object.keys(r) }))
    return E.sequenceArray(m.inputNames.map((k) => toTensor(r[k])))
  }
  return E.left(tfError('InvalidData', `model "${m.name}" expects ${n} inputs: an array or a record by input name, received ${show(x)}`, { expected: m.inputNames, received: x }))
}

/**
 * Keras's `_conform_to_reference_input`: a tensor of rank one less than an input whose last axis is 1
 * gets that axis (`[10]` for `[null, 1]`); one of rank one more ending in 1 loses it.
 */
export const conformInputs = (m: ModelLike, xs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> =>
  xs.map((x, i) => {
    const ref = m.inputShapes[i]
    if (ref === undefined) return x
    if (x.shape.length === ref.length - 1 && ref[ref.length - 1] === 1) return reshape(x, [...x.shape, 1])
    if (x.shape.length === ref.length + 1 && x.shape[x.shape.length - 1] === 1) return reshape(x, x.shape.slice(0, -1))
    return x
  })

/** Check tensors against a built model's input shapes. */
export const checkInputs = (m: ModelLike, xs: ReadonlyArray<Tensor>): E.Either<TfError, ReadonlyArray<Tensor>> => {
  for (let i = 0; i < xs.length; i++) {
    const want = m.inputShapes[i]
    if (want !== undefined && !shapeFits(want, xs[i].shape)) return E.left({ ...errors.incompatible(m.name, want, xs[i].shape), input: i })
  }
  const n = xs[0]?.shape[0]
  const bad = xs.find((x) => x.shape[0] !== n)
  if (bad)
    return E.left(tfError('DataCardinality', `Data cardinality is ambiguous: the inputs of model "${m.name}" have ${xs.map((x) => x.shape[0]).join(', ')} samples`, { expected: n, actual: xs.map((x) => x.shape[0]) }))
  return E.right(xs)
}

/** Shape a list of outputs the way the model returns predictions. */
export const shapeOutputs = (m: ModelCore, ys: ReadonlyArray<Tensor>): Tensor | ReadonlyArray<Tensor> | { readonly [k: string]: Tensor } => {
  const style = m[INTERNALS].outputStyle
  if (style === 'single') return ys[0]
  if (style === 'list') return Object.freeze(ys.slice())
  const r: Record<string, Tensor> = {}
  m.outputNames.forEach((k, i) => (r[k] = ys[i]))
  return Object.freeze(r)
}

/** The built model for some data (a deferred model is built for the data's shapes, deterministically from its seed). */
export const builtFor = (m: ModelLike, xs: ReadonlyArray<Tensor>): E.Either<TfError, ModelLike> =>
  m.built ? E.right(m) : m.ensureBuilt(xs.map((x) => Object.freeze([null, ...x.shape.slice(1)])))

/**
 * Run a model on decoded inputs in batches along the first axis (inference: `training: false`) and
 * concatenate the batches. A deferred model is built for the data first.
 */
export const predictTensors = (m0: ModelLike, xs0: ReadonlyArray<Tensor>, opts: PredictOptions = {}, training = false): E.Either<TfError, ReadonlyArray<Tensor>> => {
  const bs = opts.batchSize ?? 32
  if (!Number.isSafeInteger(bs) || bs <= 0) return E.left(tfError('InvalidOption', `predict: expected a positive integer batchSize, received ${show(bs)}`, { path: 'batchSize', expected: 'positive integer', received: bs }))
  const built = builtFor(m0, xs0)
  if (E.isLeft(built)) return built
  const m = built.right
  const ok = checkInputs(m, conformInputs(m, xs0))
  if (E.isLeft(ok)) return ok
  const xs = ok.right
  const ctx = { training, key: key(0) }
  const n = xs[0]?.shape[0] ?? 0
  if (xs.length === 0 || xs[0].shape.length === 0) return E.left(tfError('InvalidData', `predict: expected inputs with a batch axis, received ${show(xs.map((x) => x.shape))}`, {}))
  if (n <= bs) return E.right(m.forward(m.params, m.state, xs, ctx).outputs)
  const parts: Array<ReadonlyArray<Tensor>> = []
  for (let start = 0; start < n; start += bs) {
    const len = Math.min(bs, n - start)
    const batch = xs.map((x) => slice(x, [start, ...x.shape.slice(1).map(() => 0)], [len, ...x.shape.slice(1)]))
    parts.push(m.forward(m.params, m.state, batch, ctx).outputs)
  }
  return E.right(parts[0].map((_, j) => concat(parts.map((p) => p[j]), 0)))
}

/** `predict(x, {batchSize})`: outputs as the model returns them (a Tensor, a list, or a record). */
export const predict = (m: ModelCore, x: unknown, opts: PredictOptions = {}): E.Either<TfError, Tensor | ReadonlyArray<Tensor> | { readonly [k: string]: Tensor }> => {
  const xs = decodeInputs(m, x)
  if (E.isLeft(xs)) return xs
  return E.map((ys: ReadonlyArray<Tensor>) => shapeOutputs(m, ys))(predictTensors(m, xs.right, opts))
}

/** Calling a model on data: one forward pass over the whole input (no batching), `training` as asked. */
export const callOnData = (m: ModelCore, x: unknown, opts: { readonly training?: boolean } = {}): E.Either<TfError, Tensor | ReadonlyArray<Tensor> | { readonly [k: string]: Tensor }> => {
  const xs = decodeInputs(m, x)
  if (E.isLeft(xs)) return xs
  return E.map((ys: ReadonlyArray<Tensor>) => shapeOutputs(m, ys))(predictTensors(m, xs.right, { batchSize: Number.MAX_SAFE_INTEGER }, opts.training ?? false))
}

/**
 * The Keras-named notebook methods every model has (summary, countParams, getLayer, getWeights,
 * setWeights, predict, call, compile): the throwing forms of this module's functions.
 */
export const notebookMethods = (self: () => ModelCore, compile: (o: unknown) => unknown) => ({
  summary: ((o?: SummaryOptions): string | undefined => {
    const lines = orThrow(summaryLines(self(), o ?? {}))
    // Keras calls print_fn once per line
    const print = o?.printFn ?? console.log
    for (const l of lines) print(l)
    // Keras returns None: with no options nothing comes back, so a notebook shows the table once
    return o === undefined ? undefined : lines.join('\n')
  }) as SummaryMethod,
  countParams: () => orThrow(countParams(self())),
  getLayer: (n: string | number) => orThrow(getLayer(self(), n)),
  getWeights: () => orThrow(getWeights(self())),
  setWeights: (ws: ReadonlyArray<ArrayLikeData>) => orThrow(setWeights(self(), ws)),
  predict: (x: InputData, o?: PredictOptions) => orThrow(predict(self(), x, o)),
  call: (x: InputData, o?: { readonly training?: boolean }) => orThrow(callOnData(self(), x, o)),
  withTrainable: (target: LayerTarget, trainable: boolean) => orThrow(withTrainable(self(), target, trainable)),
  compile
})

// ---------------------------------------------------------------------------------------------------
// freezing

/** Which layers `withTrainable` changes: a layer name, several names, or a predicate on layers. */
export type LayerTarget = string | ReadonlyArray<string> | ((layer: AnyLayer) => boolean)

/**
 * `withTrainable(model, target, trainable)`: a new model in which the chosen layers (of the model's own
 * list; a nested model is frozen as a whole) are frozen (`false`) or trainable again (`true`) — Keras's
 * `layer.trainable = False`, immutably. The weights are the same tensors. Unknown names are
 * `LayerNotFound`. Recompile after freezing, as in Keras.
 * @example withTrainable(model, 'dense', false)
 */
export const withTrainable = <M extends ModelCore>(m: M, target: LayerTarget, trainable: boolean): E.Either<TfError, M> => {
  if (typeof trainable !== 'boolean')
    return E.left(tfError('InvalidOption', `withTrainable: expected trainable to be a boolean, received ${show(trainable)}`, { path: 'trainable', expected: 'boolean', received: trainable }))
  let pick: (l: AnyLayer) => boolean
  if (typeof target === 'function') pick = target
  else {
    const names = typeof target === 'string' ? [target] : Array.isArray(target) ? target : undefined
    if (names === undefined || !names.every((n) => typeof n === 'string'))
      return E.left(tfError('InvalidOption', `withTrainable: expected a layer name, a list of names or a predicate, received ${show(target)}`, { path: 'target', expected: 'string | string[] | (layer) => boolean', received: target }))
    const missing = names.find((n) => !m.layers.some((l) => l.name === n))
    if (missing !== undefined) return E.left(errors.layerNotFound(missing, m.layers.map((l) => l.name)))
    pick = (l) => names.includes(l.name)
  }
  const r = attempt(() => m[INTERNALS].mapLayers((l) => (l.kind !== 'InputLayer' && pick(l) ? setTrainable(l, trainable) : l)))
  return r as E.Either<TfError, M>
}
