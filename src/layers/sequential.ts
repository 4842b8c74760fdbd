/**
 * `Sequential`: a stack of single-input, single-output layers, as an immutable value. It is a `Layer`
 * (so it nests in other models), a `ModelLike` (so training and saving take it), and a notebook object
 * with Keras's methods (`add`, `pop`, `build`, `summary`, `predict`, …) that return new models.
 *
 * Build semantics (Keras's): if the input shape is known — `input({shape})` added first, a first layer
 * with `inputShape`, or the `inputShape` option — the model is built at once and grows its weights as
 * layers are added. Otherwise it is deferred: `weights` is empty until `build([null, 16])`, or data
 * reaches it (`predict`, a call, `fit`). Layer `i` is initialised with `foldIn(key(seed), i)`, so a model
 * built early, late, or on the fly for a `predict` has the same weights.
 *
 * Laws (laws/layers.ts): associativity — `sequential([sequential([a, b]), c])` and
 * `sequential([a, sequential([b, c])])` compute the same function of the same weights; `identity()` is a
 * unit on both sides; `add` and `pop` leave their input unchanged.
 *
 * Functional surface: every function here returns `Either` and is dual (`Sequential.add(model, layer)`
 * or `pipe(model, Sequential.add(layer))`). Notebook surface: `sequential(...)` and the methods, which
 * throw a `TensorfoldError` with the same `_tag`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { type Key, key, foldIn } from '../core/Key.js'
import { tfError, type TfError, orThrow, show } from '../core/errors.js'
import { countValues } from '../core/Tree.js'
import { dual } from '../core/function.js'
import { compileModel } from './facade.js'
import type { ModelLike, Ctx, ParamSpec } from './Model.js'
import {
  type Layer, type AnyLayer, type BatchShape, type Config, type Json, type ParamsOf, type StateOf, type Applied,
  isLayer, errors, withName, shapeFits, isBatchShape, showShapes, INTERNALS
} from './Layer.js'
import { type SymbolicTensor, isSymbolic } from './symbolic.js'
import * as C from './common.js'
import { outputMask, ctxWithMask } from './mask.js'
import { deepFreeze } from '../core/freeze.js'

/** What `sequential` and `add` accept: a single-output layer, or an `input({shape})` (first only). */
export type SeqItem = Layer<Tree, Tree, Tensor, Tensor> | SymbolicTensor

/** The tuple of the params (`'params'`) or state (`'state'`) types of a list of layers (inputs skipped). */
type PartsList<Ls, K extends 'params' | 'state'> = Ls extends readonly []
  ? readonly []
  : Ls extends readonly [infer H, ...infer T]
    ? H extends SymbolicTensor
      ? PartsList<T, K>
      : readonly [K extends 'params' ? ParamsOf<H> : StateOf<H>, ...PartsList<T, K>]
    : ReadonlyArray<Tree>
/** The tuple of params types of a list of layers (inputs skipped). */
export type ParamsList<Ls> = PartsList<Ls, 'params'>
/** The tuple of state types of a list of layers (inputs skipped). */
export type StatesList<Ls> = PartsList<Ls, 'state'>

/** Options of {@link sequential}. */
export interface SequentialOptions {
  readonly name?: string
  /** input shape without the batch axis: builds the model at once */
  readonly inputShape?: ReadonlyArray<number>
  /** seed of the weights (default 0): same seed, same weights */
  readonly seed?: number
}

/**
 * A sequential model. `params` is the tuple of its layers' params (`[]` while not built).
 * Every method returns a new model or a value; none mutates.
 */
export interface Sequential<P extends ReadonlyArray<Tree> = ReadonlyArray<Tree>, S extends ReadonlyArray<Tree> = ReadonlyArray<Tree>>
  extends Layer<P, S, Tensor, Tensor>,
    ModelLike {
  readonly kind: 'Sequential'
  readonly name: string
  readonly layers: ReadonlyArray<AnyLayer>
  /** the batch input shape, `[null, 16]`, once known */
  readonly inputShape: BatchShape | undefined
  /** the batch output shape once built */
  readonly outputShape: BatchShape | undefined
  readonly params: P
  readonly state: S
  /** all weights, Keras order and names (`dense/kernel`, `dense/bias`, …); empty while not built */
  readonly weights: ReadonlyArray<C.Weight>
  readonly trainableWeights: ReadonlyArray<C.Weight>
  readonly nonTrainableWeights: ReadonlyArray<C.Weight>
  /** a new model with one more layer (or with its input shape, for `input(...)`) */
  add<LP extends Tree, LS extends Tree>(layer: Layer<LP, LS, Tensor, Tensor>): Sequential<readonly [...P, LP], readonly [...S, LS]>
  add(layer: SymbolicTensor): Sequential<P, S>
  /** a new model without its last layer */
  pop(): Sequential
  /** the model built for a batch input shape (`[null, 16]`); without one, the shape it already knows */
  build(inputShape?: BatchShape): Sequential<P, S>
  /** prints the Keras table (`console.log` unless `printFn`); returns nothing with no options (Keras), the table given options */
  summary: C.SummaryMethod
  countParams(): number
  getLayer(nameOrIndex: string | number): AnyLayer
  getWeights(): ReadonlyArray<Tensor>
  setWeights(weights: ReadonlyArray<C.ArrayLikeData>): Sequential<P, S>
  /** predictions, batched over the first axis (`batchSize` default 32); builds a deferred model first */
  predict(x: C.InputData, opts?: C.PredictOptions): Tensor
  /** the model on data in one pass (`training` default false) */
  call(x: C.InputData, opts?: { readonly training?: boolean }): Tensor
  /** a new model with the chosen layers frozen (`false`) or trainable again (`true`); same weights */
  withTrainable(target: C.LayerTarget, trainable: boolean): Sequential<P, S>
  /** the params leaves with their trainable flag, regularizer and constraint */
  readonly paramSpecs: ReadonlyArray<ParamSpec>
  withWeights(params: Tree, state: Tree): Sequential<P, S>
  ensureBuilt(inputShapes: ReadonlyArray<BatchShape>): E.Either<TfError, Sequential<P, S>>
}

// ---------------------------------------------------------------------------------------------------
// the data behind a Sequential, and the pure steps on it

interface BuiltData {
  readonly params: ReadonlyArray<Tree>
  readonly state: ReadonlyArray<Tree>
  /** output shape of each layer */
  readonly shapes: ReadonlyArray<BatchShape>
}
interface Data {
  readonly name: string
  readonly autoName: boolean
  readonly seed: number
  readonly layers: ReadonlyArray<AnyLayer>
  readonly input: { readonly shape: BatchShape; readonly name: string | undefined } | undefined
  readonly built: BuiltData | undefined
  /** false: the whole model is frozen (Keras's `model.trainable = False`) */
  readonly trainable?: boolean
}

const initOne = (layer: AnyLayer, k: Key, shape: BatchShape): E.Either<TfError, { params: Tree; state: Tree; shape: BatchShape }> => {
  if (layer.inputShape !== undefined && !shapeFits(layer.inputShape, shape)) return E.left(errors.incompatible(layer.name, layer.inputShape, shape))
  const r = C.initLayer(layer, k, shape)
  if (E.isLeft(r)) return r
  if (!isBatchShape(r.right.outputShape)) return E.left(errors.multiOutputLayer(layer.name))
  return E.right({ params: r.right.params, state: r.right.state, shape: r.right.outputShape })
}

/** Initialise layers `from..` on top of `prev`, layer `i` with `foldIn(root, i)`. */
const initFrom = (layers: ReadonlyArray<AnyLayer>, root: Key, input: BatchShape, prev: BuiltData, from: number): E.Either<TfError, BuiltData> => {
  const params = prev.params.slice(0, from)
  const state = prev.state.slice(0, from)
  const shapes = prev.shapes.slice(0, from)
  let cur = from === 0 ? input : shapes[from - 1]
  for (let i = from; i < layers.length; i++) {
    const r = initOne(layers[i], foldIn(root, i), cur)
    if (E.isLeft(r)) return r
    params.push(r.right.params)
    state.push(r.right.state)
    shapes.push(r.right.shape)
    cur = r.right.shape
  }
  return E.right({ params: Object.freeze(params), state: Object.freeze(state), shapes: Object.freeze(shapes) })
}

/** Where a Sequential value keeps its data (module-private). */
const DATA: unique symbol = Symbol('tensorfold.sequential')

const emptyBuilt: BuiltData = Object.freeze({ params: Object.freeze([]), state: Object.freeze([]), shapes: Object.freeze([]) })

const addData = (d: Data, item: unknown): E.Either<TfError, Data> => {
  if (isSymbolic(item)) {
    if (item.node._tag !== 'InputNode') return E.left(errors.notALayer(`Sequential.add (model "${d.name}")`, item))
    if (d.layers.length > 0 || d.input !== undefined)
      return E.left(
        tfError('InputAlreadySet', `Sequential model "${d.name}" already has ${d.input ? `the input shape ${showShapes(d.input.shape)}` : 'layers'}: an input(...) can only be added first.`, {
          model: d.name,
          received: item.shape
        })
      )
    const input = { shape: item.node.shape, name: item.node.autoName ? undefined : item.node.name }
    return E.right({ ...d, input, built: emptyBuilt })
  }
  if (!isLayer(item)) return E.left(errors.notALayer(`Sequential.add (model "${d.name}")`, item))
  if (item.multiOutput === true) return E.left(errors.multiOutputLayer(item.name))
  const taken = new Set(d.layers.map((l) => l.name))
  if (item.autoName !== true && taken.has(item.name)) return E.left(errors.duplicateLayerName('Sequential', item.name))
  const layer = withName(item, item.autoName === true ? C.uniqueName(taken, item.name) : item.name)
  const layers = Object.freeze([...d.layers, layer])
  const input = d.input ?? (d.layers.length === 0 && layer.inputShape !== undefined ? { shape: layer.inputShape, name: undefined } : undefined)
  if (input === undefined) return E.right({ ...d, layers })
  return E.map((built: BuiltData) => ({ ...d, layers, input, built }))(initFrom(layers, key(d.seed), input.shape, d.built ?? emptyBuilt, d.built ? d.layers.length : 0))
}

/**
 * `addData` over many items in one pass: one name set, one array, one initialisation — linear in
 * the number of layers (adding them one by one rebuilds the set and copies the arrays each time).
 * Same result and same errors as folding `addData`.
 */
const addAllData = (d0: Data, items: ReadonlyArray<unknown>): E.Either<TfError, Data> => {
  let d = d0
  let i = 0
  // an input(...) may only come first; addData decides
  for (; i < items.length && isSymbolic(items[i]); i++) {
    const r = addData(d, items[i])
    if (E.isLeft(r)) return r
    d = r.right
  }
  const taken = new Set(d.layers.map((l) => l.name))
  const nextSuffix = new Map<string, number>()
  const layers = d.layers.slice()
  const input = d.input ?? (d.layers.length === 0 && i < items.length && isLayer(items[i]) && (items[i] as AnyLayer).inputShape !== undefined ? { shape: (items[i] as AnyLayer).inputShape as BatchShape, name: undefined } : undefined)
  const prefix = d.built && input !== undefined ? d.layers.length : 0
  for (; i < items.length; i++) {
    const item = items[i]
    if (isSymbolic(item)) return addData({ ...d, layers: Object.freeze(layers) }, item)
    if (!isLayer(item)) return E.left(errors.notALayer(`Sequential.add (model "${d.name}")`, item))
    if (item.multiOutput === true) return E.left(errors.multiOutputLayer(item.name))
    if (item.autoName !== true && taken.has(item.name)) return E.left(errors.duplicateLayerName('Sequential', item.name))
    let name = item.name
    if (item.autoName === true && taken.has(name)) {
      let k = nextSuffix.get(name) ?? 1
      while (taken.has(`${item.name}_${k}`)) k++
      nextSuffix.set(item.name, k + 1)
      name = `${item.name}_${k}`
    }
    taken.add(name)
    layers.push(withName(item, name))
  }
  const frozen = Object.freeze(layers)
  if (input === undefined) return E.right({ ...d, layers: frozen })
  return E.map((built: BuiltData) => ({ ...d, layers: frozen, input, built }))(initFrom(frozen, key(d.seed), input.shape, d.built ?? emptyBuilt, prefix))
}

const popData = (d: Data): E.Either<TfError, Data> => {
  if (d.layers.length === 0) return E.left(errors.emptyModel(d.name))
  const n = d.layers.length - 1
  // Keras's `pop()` of the only layer forgets the input too: `built` is false, `inputs`/`outputs` None
  if (n === 0) return E.right({ ...d, layers: Object.freeze([]), input: undefined, built: undefined })
  const built = d.built && { params: d.built.params.slice(0, n), state: d.built.state.slice(0, n), shapes: d.built.shapes.slice(0, n) }
  return E.right({ ...d, layers: d.layers.slice(0, n), built })
}

const buildData = (d: Data, shape?: unknown): E.Either<TfError, Data> => {
  if (shape === undefined || shape === null) return d.built ? E.right(d) : E.left(errors.missingInputShape(d.name))
  if (!isBatchShape(shape) || shape.length === 0)
    return E.left(tfError('InvalidShape', `build: expected a batch input shape such as [null, 16], received ${show(shape)}`, { model: d.name, expected: 'batch shape', received: shape }))
  const s: BatchShape = Object.freeze([null, ...shape.slice(1)])
  if (d.input !== undefined && !shapeFits(d.input.shape, s)) return E.left(errors.incompatible(d.name, d.input.shape, s))
  if (d.built) return E.right(d)
  return E.map((built: BuiltData) => ({ ...d, input: { shape: s, name: d.input?.name }, built }))(initFrom(d.layers, key(d.seed), s, emptyBuilt, 0))
}

const applyLayers =
  (layers: ReadonlyArray<AnyLayer>) =>
  (params: ReadonlyArray<Tree>, state: ReadonlyArray<Tree>) =>
  (x: Tensor, ctx: Ctx): Applied<ReadonlyArray<Tree>, Tensor> & { readonly mask?: Tensor } => {
    let y: Tensor = x
    // the mask travels with the activations (layers/mask.ts)
    let mask: Tensor | undefined = ctx.mask
    const out: Tree[] = []
    const losses: Tensor[] = []
    layers.forEach((l, i) => {
      const frozen = ctx.frozen === true || l.trainable === false
      const r = l.apply(params[i], state[i])(y, ctxWithMask({ training: ctx.training, key: foldIn(ctx.key, i), ...(frozen ? { frozen } : {}) }, mask))
      const next = outputMask(l, y, mask, undefined, r)
      mask = Array.isArray(next) ? undefined : (next as Tensor | undefined)
      y = r.y as Tensor
      out.push(r.state)
      if (r.losses !== undefined) losses.push(...r.losses)
    })
    // the mask of the last layer: what the model reports, and its mask when used as a layer
    return { y, state: Object.freeze(out), ...(losses.length > 0 ? { losses } : {}), mask }
  }

const configOf = (d: Data): Config => {
  const c: Record<string, Json> = {
    name: d.name,
    seed: d.seed,
    layers: d.layers.map((l) => ({ kind: l.kind, config: l.config }))
  }
  if (d.input) c.inputShape = d.input.shape.slice(1) as Json
  if (d.trainable === false) c.trainable = false
  return Object.freeze(c)
}

// ---------------------------------------------------------------------------------------------------
// the value

const fromData = (d: Data): Sequential => {
  const built = d.built
  const params = (built?.params ?? Object.freeze([])) as ReadonlyArray<Tree>
  const state = (built?.state ?? Object.freeze([])) as ReadonlyArray<Tree>
  const outputShape = built ? (built.shapes.length > 0 ? built.shapes[built.shapes.length - 1] : d.input?.shape) : undefined
  const slots = (p: Tree, s: Tree): ReadonlyArray<C.Slot> =>
    d.layers.flatMap((l, i) => C.under(i, C.layerSlots(l, (p as ReadonlyArray<Tree>)[i], (s as ReadonlyArray<Tree>)[i])))
  const internals: C.Internals = {
    slots,
    inputStyle: 'single',
    outputStyle: 'single',
    rows: () => d.layers.map((l, i) => [`${l.name} (${l.kind})`, showShapes(built ? built.shapes[i] : []), built ? countValues(built.params[i]) + countValues(built.state[i]) : 0, ''] as const),
    rename: (name) => fromData({ ...d, name, autoName: false }),
    retrain: (trainable) => fromData({ ...d, trainable }),
    mapLayers: (f) => fromData({ ...d, layers: Object.freeze(d.layers.map(f)) })
  }
  const run = applyLayers(d.layers)
  const inputName = d.input?.name ?? `${d.layers[0]?.name ?? 'input'}_input`
  const m: Record<string | symbol, unknown> = {
    kind: 'Sequential',
    name: d.name,
    autoName: d.autoName,
    config: configOf(d),
    layers: d.layers,
    built: built !== undefined,
    inputShape: d.input?.shape,
    outputShape,
    inputShapes: Object.freeze(d.input ? [d.input.shape] : []),
    outputShapes: Object.freeze(outputShape ? [outputShape] : []),
    inputNames: Object.freeze([inputName]),
    outputNames: Object.freeze([d.layers.length > 0 ? d.layers[d.layers.length - 1].name : inputName]),
    params,
    state,
    ...(d.trainable === false ? { trainable: false } : {}),
    [INTERNALS]: internals,
    [DATA]: d,
    init: (k: Key, shape: BatchShape) => {
      if (d.input !== undefined && !shapeFits(d.input.shape, shape)) return E.left(errors.incompatible(d.name, d.input.shape, shape))
      return E.map((b: BuiltData) => ({ params: b.params, state: b.state, outputShape: b.shapes.length > 0 ? b.shapes[b.shapes.length - 1] : shape }))(
        initFrom(d.layers, k, shape, emptyBuilt, 0)
      )
    },
    apply: run,
    forward: (p: Tree, s: Tree, inputs: ReadonlyArray<Tensor>, ctx: Ctx) => {
      const r = run(p as ReadonlyArray<Tree>, s as ReadonlyArray<Tree>)(inputs[0], d.trainable === false ? { ...ctx, frozen: true } : ctx)
      return { outputs: [r.y], state: r.state, ...(r.losses ? { losses: r.losses } : {}), masks: [r.mask] }
    },
    withWeights: (p: Tree, s: Tree) => (built ? fromData({ ...d, built: { ...built, params: p as ReadonlyArray<Tree>, state: s as ReadonlyArray<Tree> } }) : self),
    ensureBuilt: (shapes: ReadonlyArray<BatchShape>) => E.map(again)(buildData(d, shapes[0])),
    add: (l: unknown) => orThrow(E.map(fromData)(addData(d, l))),
    pop: () => orThrow(E.map(fromData)(popData(d))),
    build: (s?: BatchShape) => orThrow(E.map(again)(buildData(d, s))),
    ...C.notebookMethods(() => self, (o: unknown) => compileModel(self, o))
  }
  const self = m as unknown as Sequential & C.ModelCore
  // a step that changed nothing returns this very model
  function again(nd: Data): Sequential {
    return nd === d ? self : fromData(nd)
  }
  const weights = built ? C.weightsOf(self) : Object.freeze([])
  m.paramSpecs = built ? C.paramSpecsOf(C.modelSlots(self)) : Object.freeze([])
  m.weights = weights
  m.trainableWeights = Object.freeze(weights.filter((w) => w.trainable))
  m.nonTrainableWeights = Object.freeze(weights.filter((w) => !w.trainable))
  // deeply: nothing reachable from a model can be written from outside (its predictions stay its own)
  return deepFreeze(m) as unknown as Sequential
}

// ---------------------------------------------------------------------------------------------------
// functional surface

/** Whether a value is a Sequential model. */
export const isSequential = (u: unknown): u is Sequential => C.isModelCore(u) && u.kind === 'Sequential'

const dataOf = (m: Sequential): Data => (m as unknown as { readonly [DATA]: Data })[DATA]

/**
 * A sequential model as `Either` (the functional surface of {@link sequential}).
 * @example Sequential.make([dense(8, { inputShape: [16] }), dense(4)]) // Right(Sequential)
 */
export const make: {
  <const Ls extends ReadonlyArray<SeqItem> = readonly []>(layers?: Ls, opts?: SequentialOptions): E.Either<TfError, Sequential<ParamsList<Ls>, StatesList<Ls>>>
  <const L extends SeqItem>(layer: L, opts?: SequentialOptions): E.Either<TfError, Sequential<ParamsList<readonly [L]>, StatesList<readonly [L]>>>
} = (layers?: ReadonlyArray<SeqItem> | SeqItem, opts: SequentialOptions = {}): E.Either<TfError, Sequential<never, never>> => {
  const seed = opts.seed ?? 0
  if (typeof seed !== 'number' || !Number.isFinite(seed)) return E.left(tfError('InvalidArgument', `sequential: expected a finite number seed, received ${show(seed)}`, { path: 'seed', expected: 'number', received: seed }))
  // Keras: `Sequential(layer)` with one layer (not in a list) is `Sequential([layer])`
  const list: ReadonlyArray<unknown> = layers === undefined || layers === null ? [] : Array.isArray(layers) ? layers : [layers]
  let d: Data = { name: opts.name ?? 'sequential', autoName: opts.name === undefined, seed, layers: [], input: undefined, built: undefined }
  if (opts.inputShape !== undefined) {
    const b = buildData(d, [null, ...opts.inputShape])
    if (E.isLeft(b)) return b
    d = b.right
  }
  const r = addAllData(d, list)
  if (E.isLeft(r)) return r
  return E.right(fromData(r.right) as unknown as Sequential<never, never>)
}

/**
 * A model with one more layer; the input model is unchanged.
 * @example pipe(model, Sequential.add(dense(4)))
 */
export const add: {
  <LP extends Tree, LS extends Tree>(layer: Layer<LP, LS, Tensor, Tensor>): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<TfError, Sequential<readonly [...P, LP], readonly [...S, LS]>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>, LP extends Tree, LS extends Tree>(m: Sequential<P, S>, layer: Layer<LP, LS, Tensor, Tensor>): E.Either<TfError, Sequential<readonly [...P, LP], readonly [...S, LS]>>
  (layer: SymbolicTensor): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<TfError, Sequential<P, S>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>, layer: SymbolicTensor): E.Either<TfError, Sequential<P, S>>
} = dual(2, (m: Sequential, layer: unknown) => E.map(fromData)(addData(dataOf(m), layer)))

/** A model without its last layer (`EmptyModel` if none). @example Sequential.pop(model) */
export const pop = (m: Sequential): E.Either<TfError, Sequential> => E.map(fromData)(popData(dataOf(m)))

/**
 * The model built for a batch input shape; `MissingInputShape` without one (unless already built).
 * @example pipe(model, Sequential.build([null, 16]))
 */
export const build: {
  (inputShape?: BatchShape): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<TfError, Sequential<P, S>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>, inputShape?: BatchShape): E.Either<TfError, Sequential<P, S>>
} = dual((args) => isSequential(args[0]), (m: Sequential, s?: BatchShape) => E.map((nd: Data) => (nd === dataOf(m) ? m : fromData(nd)))(buildData(dataOf(m), s)))

/** The Keras summary table (`NotBuilt` before build). */
export const summary = (m: Sequential): E.Either<TfError, string> => C.summary(m as unknown as C.ModelCore)
/** Number of scalar weights (`NotBuilt` before build). */
export const countParams = (m: Sequential): E.Either<TfError, number> => C.countParams(m as unknown as C.ModelCore)
/** The weight values in Keras order (`NotBuilt` before build). */
export const getWeights = (m: Sequential): E.Either<TfError, ReadonlyArray<Tensor>> => C.getWeights(m as unknown as C.ModelCore)
/** A layer by name or index (`LayerNotFound` otherwise). @example pipe(model, Sequential.getLayer('dense_1')) */
export const getLayer: {
  (nameOrIndex: string | number): (m: Sequential) => E.Either<TfError, AnyLayer>
  (m: Sequential, nameOrIndex: string | number): E.Either<TfError, AnyLayer>
} = dual(2, (m: Sequential, n: string | number) => C.getLayer(m as unknown as C.ModelCore, n))
/** The model with new weight values (`WeightCountMismatch`, `WeightShapeMismatch`). */
export const setWeights: {
  (weights: ReadonlyArray<C.ArrayLikeData>): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<TfError, Sequential<P, S>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>, weights: ReadonlyArray<C.ArrayLikeData>): E.Either<TfError, Sequential<P, S>>
} = dual(2, (m: Sequential, ws: ReadonlyArray<C.ArrayLikeData>) => C.setWeights(m as unknown as C.ModelCore & Sequential, ws))
/** Predictions, batched (`batchSize` default 32); a deferred model is built for the data. */
export const predict: {
  (x: C.InputData, opts?: C.PredictOptions): (m: Sequential) => E.Either<TfError, Tensor>
  (m: Sequential, x: C.InputData, opts?: C.PredictOptions): E.Either<TfError, Tensor>
} = dual((args) => isSequential(args[0]), (m: Sequential, x: C.InputData, o?: C.PredictOptions) => C.predict(m as unknown as C.ModelCore, x, o) as E.Either<TfError, Tensor>)

/**
 * The model with the chosen layers frozen (`false`) or trainable (`true`): Keras's `layer.trainable`, immutably.
 * @example pipe(model, Sequential.withTrainable('dense', false))
 */
export const withTrainable: {
  (target: C.LayerTarget, trainable: boolean): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<TfError, Sequential<P, S>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>, target: C.LayerTarget, trainable: boolean): E.Either<TfError, Sequential<P, S>>
} = dual(3, (m: Sequential, target: C.LayerTarget, trainable: boolean) => C.withTrainable(m as unknown as C.ModelCore & Sequential, target, trainable))

/**
 * A sequential model (the notebook surface; throws a `TensorfoldError` where `Sequential.make` returns `Left`).
 * @example
 * const model = sequential([dense(8, { inputShape: [16] }), dense(4)])
 * model.weights.length // 4
 */
export const sequential: {
  <const Ls extends ReadonlyArray<SeqItem> = readonly []>(layers?: Ls, opts?: SequentialOptions): Sequential<ParamsList<Ls>, StatesList<Ls>>
  <const L extends SeqItem>(layer: L, opts?: SequentialOptions): Sequential<ParamsList<readonly [L]>, StatesList<readonly [L]>>
} = (layers?: ReadonlyArray<SeqItem> | SeqItem, opts: SequentialOptions = {}): Sequential<never, never> => orThrow(make(layers as ReadonlyArray<SeqItem>, opts)) as Sequential<never, never>
