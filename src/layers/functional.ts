/**
 * The functional API: `model({inputs, outputs, name})` turns a graph of symbolic tensors into a model.
 *
 * ```ts
 * const inputs = input({ shape: [3] })
 * const d = dense(2, { name: 'out' })
 * const m = model({ inputs, outputs: [call(d, inputs), call(d, inputs)] })
 * m.outputNames // ['out', 'out_1']: one shared layer, two outputs
 * ```
 *
 * Layers are shared by value identity: applying the same layer value twice shares its weights. A model
 * is built at once (its inputs have shapes); layer `i` (in topological order) is initialised with
 * `foldIn(key(seed), i)`. `params` and `state` are records by layer name. Several inputs are given as an
 * array or a record (by input name); several outputs predict a list, or a record if `outputs` is one.
 * A functional model is also a `Layer`, so it nests in `sequential` and in other models.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { type Key, key } from '../core/Key.js'
import { tfError, type TfError, orThrow, show } from '../core/errors.js'
import { type LayerError, asLayerError } from './errors.js'
import { countValues } from '../core/Tree.js'
import { dual } from '../core/function.js'
import type { ModelLike, Ctx, ParamSpec } from './Model.js'
import { type Layer, type AnyLayer, type BatchShape, type LayerIO, errors, shapeFits, showShapes, INTERNALS } from './Layer.js'
import type { SymbolicTensor } from './symbolic.js'
import { compileModel } from './facade.js'
import * as C from './common.js'
import { type Graph, mapGraph, graphOf, initGraph, run, configOf } from './graph.js'
import { deepFreeze } from '../core/freeze.js'

/** Inputs or outputs of a functional model: one symbolic tensor, a list, or a record by name. */
export type Ends = SymbolicTensor | ReadonlyArray<SymbolicTensor> | { readonly [name: string]: SymbolicTensor }

/** What a model with these ends takes or gives as a layer: one tensor, or an array of them. */
export type EndsIO<O> = O extends SymbolicTensor ? Tensor : ReadonlyArray<Tensor>

/** What predictions look like for given outputs: a Tensor, a list of them, or a record. */
export type Predicted<O> = O extends SymbolicTensor ? Tensor : { readonly [K in keyof O]: Tensor }

/** Options of {@link model}. */
export interface ModelOptions<I extends Ends, O extends Ends> {
  readonly inputs: I
  readonly outputs: O
  readonly name?: string
  /** seed of the weights (default 0) */
  readonly seed?: number
}

/** A functional model with outputs `O` and inputs `I`. `params`/`state` are records by layer name. */
export interface Model<O extends Ends = Ends, I extends Ends = Ends>
  extends Layer<{ readonly [name: string]: Tree }, { readonly [name: string]: Tree }, EndsIO<I>, EndsIO<O>>,
    ModelLike {
  readonly kind: 'Functional'
  readonly name: string
  /** every layer, inputs (`InputLayer`) included, in topological order */
  readonly layers: ReadonlyArray<AnyLayer>
  readonly inputs: ReadonlyArray<SymbolicTensor>
  readonly outputs: ReadonlyArray<SymbolicTensor>
  readonly params: { readonly [name: string]: Tree }
  readonly state: { readonly [name: string]: Tree }
  readonly weights: ReadonlyArray<C.Weight>
  readonly trainableWeights: ReadonlyArray<C.Weight>
  readonly nonTrainableWeights: ReadonlyArray<C.Weight>
  /** prints the Keras table (`console.log` unless `printFn`); returns nothing with no options (Keras), the table given options */
  summary: C.SummaryMethod
  countParams(): number
  getLayer(nameOrIndex: string | number): AnyLayer
  getWeights(): ReadonlyArray<Tensor>
  setWeights(weights: ReadonlyArray<C.ArrayLikeData>): Model<O, I>
  /** predictions, batched over the first axis (`batchSize` default 32) */
  predict(x: C.InputData, opts?: C.PredictOptions): Predicted<O>
  /** the model on data in one pass (`training` default false) */
  call(x: C.InputData, opts?: { readonly training?: boolean }): Predicted<O>
  /** a new model with the chosen layers frozen (`false`) or trainable again (`true`); same weights */
  withTrainable(target: C.LayerTarget, trainable: boolean): Model<O, I>
  /** the params leaves with their trainable flag, regularizer and constraint */
  readonly paramSpecs: ReadonlyArray<ParamSpec>
  withWeights(params: Tree, state: Tree): Model<O, I>
  ensureBuilt(inputShapes: ReadonlyArray<BatchShape>): E.Either<TfError, Model<O, I>>
}

interface Data {
  readonly name: string
  readonly autoName: boolean
  readonly seed: number
  readonly graph: Graph
  readonly params: { readonly [name: string]: Tree }
  readonly state: { readonly [name: string]: Tree }
  /** false: the whole model is frozen */
  readonly trainable?: boolean
}

const fromData = (d: Data): Model => {
  const g = d.graph
  const slots = (p: Tree, s: Tree): ReadonlyArray<C.Slot> =>
    g.owners.flatMap((o) => C.under(o.layer.name, C.layerSlots(o.layer, (p as Record<string, Tree>)[o.layer.name], (s as Record<string, Tree>)[o.layer.name])))
  const outShape = (l: AnyLayer): string => {
    // a layer called on tensors of different shapes has no one output shape: Keras shows 'multiple'
    const shown = [...new Set(g.nodes.filter((n) => g.named.get(n.layer) === l).map((n) => showShapes(n.outputShape)))]
    return shown.length === 1 ? shown[0] : 'multiple'
  }
  const connected = (l: AnyLayer): string =>
    g.nodes
      .filter((n) => g.named.get(n.layer) === l)
      .flatMap((n) => n.inputs.map((s) => `'${s.node._tag === 'InputNode' ? g.inputNames[g.inputIndex.get(s.node) as number] : (g.named.get(s.node.layer) as AnyLayer).name}[0][${s.index ?? 0}]'`))
      .join(', ')
  // Keras's `sequential_like`: one input, and each layer called once on one tensor that nothing else reads
  const consumers = new Map<unknown, number>()
  for (const n of g.nodes) for (const s of n.inputs) consumers.set(s.node, (consumers.get(s.node) ?? 0) + 1)
  const sequentialLike =
    g.inputs.length === 1 &&
    g.nodes.every((n) => n.inputs.length === 1 && g.nodes.filter((o) => o.layer === n.layer).length === 1) &&
    [...consumers.values()].every((c) => c <= 1)
  const internals: C.Internals = {
    slots,
    inputStyle: g.inputStyle,
    outputStyle: g.outputStyle,
    rows: () => [
      ...g.inputs.map((s, i) => [`${g.layers[i].name} (InputLayer)`, `[${showShapes(s.shape)}]`, 0, '[]'] as const),
      ...g.owners.map((o) => [`${o.layer.name} (${o.layer.kind})`, outShape(o.layer), countValues(d.params[o.layer.name]) + countValues(d.state[o.layer.name]), `[${connected(o.layer)}]`] as const)
    ],
    sequentialLike,
    rename: (name) => fromData({ ...d, name, autoName: false }),
    retrain: (trainable) => fromData({ ...d, trainable }),
    mapLayers: (f) => fromData({ ...d, graph: mapGraph(g, f) })
  }
  const single = (ys: ReadonlyArray<Tensor>): LayerIO => (ys.length === 1 ? ys[0] : Object.freeze(ys.slice()))
  const m: Record<string | symbol, unknown> = {
    kind: 'Functional',
    name: d.name,
    autoName: d.autoName,
    config: configOf(d),
    layers: g.layers,
    inputs: Object.freeze(g.inputs.slice()),
    outputs: Object.freeze(g.outputs.slice()),
    built: true,
    inputShapes: Object.freeze(g.inputs.map((s) => s.shape)),
    outputShapes: Object.freeze(g.outputs.map((s) => s.shape)),
    inputNames: Object.freeze(g.inputNames.slice()),
    outputNames: Object.freeze(g.outputNames.slice()),
    params: d.params,
    state: d.state,
    ...(d.trainable === false ? { trainable: false } : {}),
    ...(g.inputs.length > 1 ? { multiInput: true } : { inputShape: g.inputs[0].shape }),
    ...(g.outputs.length > 1 ? { multiOutput: true } : {}),
    [INTERNALS]: internals,
    init: (k: Key, shape: BatchShape | ReadonlyArray<BatchShape>) => {
      const shapes = (g.inputs.length > 1 ? shape : [shape]) as ReadonlyArray<BatchShape>
      const bad = g.inputs.findIndex((s, i) => shapes[i] === undefined || !shapeFits(s.shape, shapes[i]))
      if (bad >= 0) return E.left(errors.incompatible(d.name, g.inputs.length > 1 ? g.inputs.map((s) => s.shape) : g.inputs[0].shape, shape))
      return E.map((r: { params: Record<string, Tree>; state: Record<string, Tree> }) => ({
        params: r.params,
        state: r.state,
        outputShape: g.outputs.length > 1 ? g.outputs.map((s) => s.shape) : g.outputs[0].shape
      }))(initGraph(g, k))
    },
    apply: (p: { readonly [n: string]: Tree }, s: { readonly [n: string]: Tree }) => (x: LayerIO, ctx: Ctx) => {
      const r = run(g, p, s, g.inputs.length > 1 ? (x as ReadonlyArray<Tensor>) : [x as Tensor], ctx)
      // used as a layer, the model's output masks are its masks (Keras's Functional.compute_mask)
      return { y: single(r.outputs), state: r.state, ...(r.losses ? { losses: r.losses } : {}), mask: r.masks.length === 1 ? r.masks[0] : r.masks }
    },
    forward: (p: Tree, s: Tree, xs: ReadonlyArray<Tensor>, ctx: Ctx) => run(g, p as Record<string, Tree>, s as Record<string, Tree>, xs, d.trainable === false ? { ...ctx, frozen: true } : ctx),
    withWeights: (p: Tree, s: Tree) => fromData({ ...d, params: p as Record<string, Tree>, state: s as Record<string, Tree> }),
    ensureBuilt: (shapes: ReadonlyArray<BatchShape>) => {
      const bad = g.inputs.findIndex((s, i) => shapes[i] !== undefined && !shapeFits(s.shape, shapes[i]))
      return bad >= 0 ? E.left({ ...errors.incompatible(d.name, g.inputs[bad].shape, shapes[bad]), input: bad }) : E.right(self)
    },
    ...C.notebookMethods(() => self, (o: unknown) => compileModel(self, o))
  }
  const self = m as unknown as Model & C.ModelCore
  const weights = C.weightsOf(self)
  m.paramSpecs = C.paramSpecsOf(C.modelSlots(self))
  m.weights = weights
  m.trainableWeights = Object.freeze(weights.filter((w) => w.trainable))
  m.nonTrainableWeights = Object.freeze(weights.filter((w) => !w.trainable))
  // deeply: nothing reachable from a model can be written from outside (its predictions stay its own)
  return deepFreeze(m) as unknown as Model
}

// ---------------------------------------------------------------------------------------------------
// functional surface

/** Whether a value is a functional model. */
export const isModel = (u: unknown): u is Model => C.isModelCore(u) && u.kind === 'Functional'

/**
 * A functional model as `Either` (the functional surface of {@link model}).
 * @example Model.make({ inputs, outputs: [y1, y2] })
 */
export const make = <I extends Ends, O extends Ends>(opts: ModelOptions<I, O>): E.Either<LayerError, Model<O, I>> => E.mapLeft(asLayerError)(makeData(opts))

const makeData = <I extends Ends, O extends Ends>(opts: ModelOptions<I, O>): E.Either<TfError, Model<O, I>> => {
  if (typeof opts !== 'object' || opts === null) return E.left(tfError('InvalidOption', `model: expected {inputs, outputs, name?}, received ${show(opts)}`, { expected: '{inputs, outputs}', received: opts }))
  const seed = opts.seed ?? 0
  const g = graphOf(opts.inputs, opts.outputs)
  if (E.isLeft(g)) return g
  const w = initGraph(g.right, key(seed))
  if (E.isLeft(w)) return w
  return E.right(fromData({ name: opts.name ?? 'model', autoName: opts.name === undefined, seed, graph: g.right, params: w.right.params, state: w.right.state }) as unknown as Model<O, I>)
}

/**
 * A functional model (the notebook surface; throws where `Model.make` returns `Left`).
 * @example
 * const inputs = input({ shape: [3] })
 * const m = model({ inputs, outputs: call(dense(2), inputs) })
 */
export const model = <I extends Ends, O extends Ends>(opts: ModelOptions<I, O>): Model<O, I> => orThrow(make(opts))

/** Predictions of a functional model (a Tensor, a list or a record, as its outputs). */
export const predict: {
  (x: C.InputData, opts?: C.PredictOptions): <O extends Ends, I extends Ends>(m: Model<O, I>) => E.Either<LayerError, Predicted<O>>
  <O extends Ends, I extends Ends>(m: Model<O, I>, x: C.InputData, opts?: C.PredictOptions): E.Either<LayerError, Predicted<O>>
} = dual((args) => C.isModelCore(args[0]), (m: C.ModelCore, x: C.InputData, o?: C.PredictOptions) => C.predict(m, x, o))

/** The Keras summary table of any model (Sequential or functional); `NotBuilt` before build. */
export const summary = (m: ModelLike): E.Either<LayerError, string> => (C.isModelCore(m) ? E.mapLeft(asLayerError)(C.summary(m)) : E.left(errors.notALayer('summary', m)))
/** Number of scalar weights of any model; `NotBuilt` before build. */
export const countParams = (m: ModelLike): E.Either<LayerError, number> => (C.isModelCore(m) ? E.mapLeft(asLayerError)(C.countParams(m)) : E.left(errors.notALayer('countParams', m)))
/** The weight values of any model, Keras order. */
export const getWeights = (m: ModelLike): E.Either<LayerError, ReadonlyArray<Tensor>> => (C.isModelCore(m) ? E.mapLeft(asLayerError)(C.getWeights(m)) : E.left(errors.notALayer('getWeights', m)))
/** The weights of any model with names (`dense/kernel`, …). */
export const weights = (m: ModelLike): ReadonlyArray<C.Weight> => (C.isModelCore(m) && m.built ? C.weightsOf(m) : [])
/** A layer of any model by name or index. */
export const getLayer: {
  (nameOrIndex: string | number): (m: ModelLike) => E.Either<LayerError, AnyLayer>
  (m: ModelLike, nameOrIndex: string | number): E.Either<LayerError, AnyLayer>
} = dual(2, (m: ModelLike, n: string | number) => (C.isModelCore(m) ? C.getLayer(m, n) : E.left(errors.notALayer('getLayer', m))))
/** Any model with new weight values (count and shapes checked). */
export const setWeights: {
  (weights: ReadonlyArray<C.ArrayLikeData>): <M extends ModelLike>(m: M) => E.Either<LayerError, M>
  <M extends ModelLike>(m: M, weights: ReadonlyArray<C.ArrayLikeData>): E.Either<LayerError, M>
} = dual(2, (m: ModelLike, ws: ReadonlyArray<C.ArrayLikeData>) => (C.isModelCore(m) ? C.setWeights(m, ws) : E.left(errors.notALayer('setWeights', m))))

/**
 * Any model with the chosen layers frozen (`false`) or trainable (`true`): Keras's `layer.trainable`,
 * immutably (a layer name, names, or a predicate; `LayerNotFound` for an unknown name).
 * @example pipe(model, Model.withTrainable((l) => l.kind === 'Dense', false))
 */
export const withTrainable: {
  (target: C.LayerTarget, trainable: boolean): <M extends ModelLike>(m: M) => E.Either<LayerError, M>
  <M extends ModelLike>(m: M, target: C.LayerTarget, trainable: boolean): E.Either<LayerError, M>
} = dual(3, (m: ModelLike, target: C.LayerTarget, trainable: boolean) =>
  C.isModelCore(m) ? C.withTrainable(m, target, trainable) : E.left(errors.notALayer('withTrainable', m))
)

/** {@link withTrainable}, throwing (the notebook form). @example const frozen = withTrainable(model, 'dense', false) */
export const withTrainableOrThrow = <M extends ModelLike>(m: M, target: C.LayerTarget, trainable: boolean): M => orThrow(withTrainable(m, target, trainable))
