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
import type { Key } from '../core/Key.js'
import { tfError, type TfError, orThrow, show } from '../core/errors.js'
import { type LayerError, asLayerError } from './errors.js'
import { countValues } from '../core/Tree.js'
import { dual } from '../core/function.js'
import { compileModel } from './facade.js'
import type { ModelLike, Ctx, ParamSpec } from './Model.js'
import { type Layer, type AnyLayer, type BatchShape, type ParamsOf, type StateOf, errors, shapeFits, showShapes, INTERNALS } from './Layer.js'
import type { SymbolicTensor } from './symbolic.js'
import * as C from './common.js'
import { deepFreeze } from '../core/freeze.js'
import { type Data, type BuiltData, emptyBuilt, initFrom, addData, addAllData, popData, buildData, applyLayers, configOf } from './sequentialData.js'

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
// the value

/** Where a Sequential value keeps its data (module-private). */
const DATA: unique symbol = Symbol('tensorfold.sequential')

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
  <const Ls extends ReadonlyArray<SeqItem> = readonly []>(layers?: Ls, opts?: SequentialOptions): E.Either<LayerError, Sequential<ParamsList<Ls>, StatesList<Ls>>>
  <const L extends SeqItem>(layer: L, opts?: SequentialOptions): E.Either<LayerError, Sequential<ParamsList<readonly [L]>, StatesList<readonly [L]>>>
} = (layers?: ReadonlyArray<SeqItem> | SeqItem, opts: SequentialOptions = {}): E.Either<LayerError, Sequential<never, never>> => E.mapLeft(asLayerError)(makeData(layers, opts))

const makeData = (layers: ReadonlyArray<SeqItem> | SeqItem | undefined, opts: SequentialOptions): E.Either<TfError, Sequential<never, never>> => {
  const seed = opts.seed ?? 0
  if (typeof seed !== 'number' || !Number.isFinite(seed)) return E.left(tfError('InvalidOption', `sequential: expected a finite number seed, received ${show(seed)}`, { path: 'seed', expected: 'number', received: seed }))
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
  <LP extends Tree, LS extends Tree>(layer: Layer<LP, LS, Tensor, Tensor>): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<LayerError, Sequential<readonly [...P, LP], readonly [...S, LS]>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>, LP extends Tree, LS extends Tree>(m: Sequential<P, S>, layer: Layer<LP, LS, Tensor, Tensor>): E.Either<LayerError, Sequential<readonly [...P, LP], readonly [...S, LS]>>
  (layer: SymbolicTensor): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<LayerError, Sequential<P, S>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>, layer: SymbolicTensor): E.Either<LayerError, Sequential<P, S>>
} = dual(2, (m: Sequential, layer: unknown) => E.map(fromData)(addData(dataOf(m), layer)))

/** A model without its last layer (`EmptyModel` if none). @example Sequential.pop(model) */
export const pop = (m: Sequential): E.Either<LayerError, Sequential> => E.bimap(asLayerError, fromData)(popData(dataOf(m)))

/**
 * The model built for a batch input shape; `MissingInputShape` without one (unless already built).
 * @example pipe(model, Sequential.build([null, 16]))
 */
export const build: {
  (inputShape?: BatchShape): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<LayerError, Sequential<P, S>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>, inputShape?: BatchShape): E.Either<LayerError, Sequential<P, S>>
} = dual((args) => isSequential(args[0]), (m: Sequential, s?: BatchShape) => E.map((nd: Data) => (nd === dataOf(m) ? m : fromData(nd)))(buildData(dataOf(m), s)))

/** The Keras summary table (`NotBuilt` before build). */
export const summary = (m: Sequential): E.Either<LayerError, string> => E.mapLeft(asLayerError)(C.summary(m as unknown as C.ModelCore))
/** Number of scalar weights (`NotBuilt` before build). */
export const countParams = (m: Sequential): E.Either<LayerError, number> => E.mapLeft(asLayerError)(C.countParams(m as unknown as C.ModelCore))
/** The weight values in Keras order (`NotBuilt` before build). */
export const getWeights = (m: Sequential): E.Either<LayerError, ReadonlyArray<Tensor>> => E.mapLeft(asLayerError)(C.getWeights(m as unknown as C.ModelCore))
/** A layer by name or index (`LayerNotFound` otherwise). @example pipe(model, Sequential.getLayer('dense_1')) */
export const getLayer: {
  (nameOrIndex: string | number): (m: Sequential) => E.Either<LayerError, AnyLayer>
  (m: Sequential, nameOrIndex: string | number): E.Either<LayerError, AnyLayer>
} = dual(2, (m: Sequential, n: string | number) => C.getLayer(m as unknown as C.ModelCore, n))
/** The model with new weight values (`WeightCountMismatch`, `WeightShapeMismatch`). */
export const setWeights: {
  (weights: ReadonlyArray<C.ArrayLikeData>): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<LayerError, Sequential<P, S>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>, weights: ReadonlyArray<C.ArrayLikeData>): E.Either<LayerError, Sequential<P, S>>
} = dual(2, (m: Sequential, ws: ReadonlyArray<C.ArrayLikeData>) => C.setWeights(m as unknown as C.ModelCore & Sequential, ws))
/** Predictions, batched (`batchSize` default 32); a deferred model is built for the data. */
export const predict: {
  (x: C.InputData, opts?: C.PredictOptions): (m: Sequential) => E.Either<LayerError, Tensor>
  (m: Sequential, x: C.InputData, opts?: C.PredictOptions): E.Either<LayerError, Tensor>
} = dual((args) => isSequential(args[0]), (m: Sequential, x: C.InputData, o?: C.PredictOptions) => C.predict(m as unknown as C.ModelCore, x, o) as E.Either<LayerError, Tensor>)

/**
 * The model with the chosen layers frozen (`false`) or trainable (`true`): Keras's `layer.trainable`, immutably.
 * @example pipe(model, Sequential.withTrainable('dense', false))
 */
export const withTrainable: {
  (target: C.LayerTarget, trainable: boolean): <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>) => E.Either<LayerError, Sequential<P, S>>
  <P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>>(m: Sequential<P, S>, target: C.LayerTarget, trainable: boolean): E.Either<LayerError, Sequential<P, S>>
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
