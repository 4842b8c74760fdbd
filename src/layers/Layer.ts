/**
 * The layer contract, written once (JAX stax style), so that each layer is a few lines.
 *
 * A layer is a plain, frozen value:
 *
 * - `init(key, inputShape)` infers the output shape and makes the parameters and the state:
 *   `Either<TfError, {params, state, outputShape}>`. Shapes carry the batch axis first, as `null`
 *   (`[null, 16]`); a merge layer receives an array of shapes.
 * - `apply(params, state)` returns the pure function `(x, ctx) => {y, state}`; `ctx` says whether we
 *   train and gives a random key (only `dropout`-like layers read it).
 * - `name`, `kind` (the Keras class name: `'Dense'`) and `config` (plain JSON: the constructor's
 *   arguments, so `builtinLayers[kind](config)` rebuilds it).
 * - optional: `inputShape` (the batch shape the layer expects, from the `inputShape` option), `autoName`
 *   (`true` when the user gave no name: a model then numbers it `dense`, `dense_1`, … deterministically),
 *   `multiInput` / `multiOutput` (merge layers take arrays; a multi-output layer returns an array).
 *
 * A custom layer is just such an object — no class, no registry:
 * ```ts
 * const scale = (c: number): Layer<{}> => ({
 *   name: 'scale', kind: 'Scale', config: { c },
 *   init: (_key, s) => E.right({ params: {}, state: {}, outputShape: s }),
 *   apply: () => (x) => ({ y: mul(x, c), state: {} })
 * })
 * ```
 *
 * Laws (laws/layers.ts): `init`'s output shape equals the shape of `apply`'s output; the same key gives
 * the same params; `dropout` in inference is the identity.
 *
 * @since 0.1.0
 */
import type { LayerError } from './errors.js'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, isTensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import type { Key } from '../core/Key.js'
import { tfError, type TfError, show, TensorfoldError } from '../core/errors.js'
import { nearest } from '../core/nearest.js'
import type { BatchShape, Ctx } from './Model.js'
import type { Regularizer, Constraint } from './weights.js'
import type { Json, Config } from './json.js'
import { deepFreeze } from '../core/freeze.js'

export type { BatchShape, Ctx } from './Model.js'

/** What flows through a layer: one tensor, or several (merge layers, multi-output layers). */
export type LayerIO = Tensor | ReadonlyArray<Tensor>

/** The shape description of a layer input/output: one batch shape, or one per tensor. */
export type ShapeOf<X> = X extends Tensor ? BatchShape : ReadonlyArray<BatchShape>

export type { Json, Config } from './json.js'

/** Params (or state) of a layer without any: the empty record. */
export type Empty = { readonly [k: string]: never }

/** What `init` returns. */
export interface Built<P, S, Y> {
  readonly params: P
  readonly state: S
  readonly outputShape: ShapeOf<Y>
}

/** What an applied layer returns. */
export interface Applied<S, Y> {
  readonly y: Y
  readonly state: S
  /** extra scalar losses of this call (activity regularization, Keras's `add_loss`), summed into the training loss */
  readonly losses?: ReadonlyArray<Tensor>
  /**
   * the mask of the output when the layer works it out while applying (a model used as a layer: the
   * masks of its inner layers); when present (even undefined) it replaces `computeMask` (layers/mask.ts)
   */
  readonly mask?: Tensor | ReadonlyArray<Tensor | undefined>
}

/** The applied function (bivariant in its input, so that layers of every input type fit `AnyLayer`). */
export type ApplyFn<S, X, Y> = { bivarianceHack(x: X, ctx: Ctx): Applied<S, Y> }['bivarianceHack']

/**
 * A layer: parameters `P`, state `S`, input `X`, output `Y`.
 * @example const l: Layer<DenseParams> = dense(4)
 */
export interface Layer<P extends Tree = Tree, S extends Tree = Empty, X extends LayerIO = Tensor, Y extends LayerIO = Tensor> {
  readonly name: string
  readonly kind: string
  readonly config: Config
  /** the batch shape this layer expects (from the `inputShape` option), e.g. `[null, 16]` */
  readonly inputShape?: BatchShape
  /** true when the name is a default that a model may number (`dense` -> `dense_1`) */
  readonly autoName?: boolean
  /** the layer takes an array of tensors (merge layers) */
  readonly multiInput?: boolean
  /** the layer returns an array of tensors */
  readonly multiOutput?: boolean
  /** `false`: the layer is frozen — training never moves its weights (default true) */
  readonly trainable?: boolean
  /** penalties on params, by top-level param key (`kernel`, `bias`): added to the training loss */
  readonly regularizers?: { readonly [param: string]: Regularizer }
  /** projections of params, by top-level param key, applied after each optimizer update */
  readonly constraints?: { readonly [param: string]: Constraint }
  init(key: Key, inputShape: ShapeOf<X>): E.Either<TfError, Built<P, S, Y>>
  apply(params: P, state: S): ApplyFn<S, X, Y>
}

/** Any layer, whatever its types. */
export type AnyLayer = Layer<Tree, Tree, LayerIO, LayerIO>

/** The params type of a layer. */
export type ParamsOf<L> = L extends Layer<infer P, infer _S, infer _X, infer _Y> ? P : never
/** The state type of a layer. */
export type StateOf<L> = L extends Layer<infer _P, infer S, infer _X, infer _Y> ? S : never

/** Whether a value satisfies the layer contract (checked at runtime when adding to a model). */
export const isLayer = (u: unknown): u is AnyLayer =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as AnyLayer).init === 'function' &&
  typeof (u as AnyLayer).apply === 'function' &&
  typeof (u as AnyLayer).name === 'string' &&
  typeof (u as AnyLayer).kind === 'string'

// ---------------------------------------------------------------------------------------------------
// The few lines every built-in layer shares.

/** Options every built-in layer constructor accepts. */
export interface BaseOptions {
  readonly name?: string
  /** the input shape without the batch axis, e.g. `[16]` (`null`: an axis of any length): a model starting with this layer is built at once */
  readonly inputShape?: ReadonlyArray<number | null>
  /** `false` freezes the layer: its weights never move in `fit` and count as non-trainable */
  readonly trainable?: boolean
}

/** The options every built-in constructor accepts. */
export const BASE_KEYS: ReadonlyArray<string> = Object.freeze(['name', 'inputShape', 'trainable'])

/**
 * Reject options a constructor does not know (Keras raises on unknown keyword arguments; a typo such
 * as `activaton` must not be silently ignored). `allowed` lists the constructor's own keys.
 * @example checkOptions('dense', { units: 2 }, ['activation']) // Left(InvalidOption: unknown option 'units')
 */
export const checkOptions = (where: string, opts: unknown, allowed: ReadonlyArray<string>): E.Either<TfError, void> => {
  if (opts === undefined) return E.right(undefined)
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    return E.left(tfError('InvalidOption', `${where}: expected an options record, received ${show(opts)}`, { path: where, expected: 'options record', received: opts }))
  const keys = [...BASE_KEYS, ...allowed]
  for (const k of Object.keys(opts)) {
    if (keys.includes(k)) continue
    const near = nearest(k, keys, { maxDistance: 3 })
    return E.left(
      tfError('InvalidOption', `${where}: unknown option '${k}'${near !== undefined ? ` (did you mean '${near}'?)` : ''}; allowed options: ${keys.map((x) => `'${x}'`).join(', ')}`, {
        path: `${where}.${k}`,
        expected: keys,
        received: k
      })
    )
  }
  const t = (opts as { trainable?: unknown }).trainable
  if (t !== undefined && typeof t !== 'boolean')
    return E.left(tfError('InvalidOption', `${where}: expected trainable to be a boolean, received ${show(t)}`, { path: `${where}.trainable`, expected: 'boolean', received: t }))
  return E.right(undefined)
}

/** The PascalCase Keras kind to its default snake_case name: `LeakyReLU` -> `leaky_re_lu`, `Dense` -> `dense`, `Conv2D` -> `conv2d`. */
export const snakeCase = (kind: string): string =>
  // Keras's to_snake_case: a capitalised word after anything, then a capital after a lowercase letter
  // (digits do not split: `Conv2D` -> `conv2d`, `Conv2DTranspose` -> `conv2d_transpose`)
  kind
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()

/** JSON-only config: drop undefined entries. */
const clean = (c: Record<string, Json | undefined>): Config => {
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(c)) if (v !== undefined) out[k] = v
  return Object.freeze(out)
}

/**
 * Make a built-in layer value from its kind, config and the two functions: fills in `name`,
 * `autoName`, `inputShape` and freezes it. This is the one shared piece of every constructor.
 */
export const makeLayer = <P extends Tree, S extends Tree, X extends LayerIO = Tensor, Y extends LayerIO = Tensor>(
  kind: string,
  config: Record<string, Json | undefined>,
  opts: BaseOptions | undefined,
  init: (key: Key, inputShape: ShapeOf<X>) => E.Either<TfError, Built<P, S, Y>>,
  apply: (params: P, state: S) => (x: X, ctx: Ctx) => Applied<S, Y>,
  extra: LayerExtras = {}
): Layer<P, S, X, Y> => {
  const name = opts?.name
  const inputShape = opts?.inputShape
  const frozen = opts?.trainable === false
  const { regularizers, constraints, activityRegularizer } = extra
  const flags = { ...(extra.multiInput !== undefined ? { multiInput: extra.multiInput } : {}), ...(extra.multiOutput !== undefined ? { multiOutput: extra.multiOutput } : {}) }
  const act = activityRegularizer
  // Keras: the activity penalty of an output, divided by the batch size
  const withActivity =
    act === undefined
      ? apply
      : (p: P, s: S) => {
          const f = apply(p, s)
          return (x: X, ctx: Ctx): Applied<S, Y> => {
            const r = f(x, ctx)
            const ys = (Array.isArray(r.y) ? r.y : [r.y]) as ReadonlyArray<Tensor>
            return { ...r, losses: [...(r.losses ?? []), ...ys.map((y) => act.activity(y))] }
          }
        }
  // deeply: no value reachable from a layer (its config, initializers, functions) can be written
  return deepFreeze({
    name: name ?? snakeCase(kind),
    kind,
    config: clean({ ...config, name: name ?? undefined, inputShape: inputShape ? [...inputShape] : undefined, trainable: frozen ? false : undefined }),
    ...(inputShape ? { inputShape: Object.freeze([null, ...inputShape]) as BatchShape } : {}),
    autoName: name === undefined,
    ...flags,
    ...(frozen ? { trainable: false } : {}),
    ...(regularizers !== undefined && Object.keys(regularizers).length > 0 ? { regularizers } : {}),
    ...(constraints !== undefined && Object.keys(constraints).length > 0 ? { constraints } : {}),
    init,
    apply: withActivity
  })
}

/** What a constructor may add to {@link makeLayer}: merge flags and the weight options of `weights.ts`. */
export interface LayerExtras {
  readonly multiInput?: boolean
  readonly multiOutput?: boolean
  readonly regularizers?: { readonly [param: string]: Regularizer }
  readonly constraints?: { readonly [param: string]: Constraint }
  readonly activityRegularizer?: Regularizer
}

/**
 * The same layer, frozen (`false`) or trainable (`true`): Keras's `layer.trainable = False`, as a new
 * value. A model layer is frozen as a whole (every weight inside it).
 * @example setTrainable(dense(4), false).trainable // false
 */
export const setTrainable = <L extends AnyLayer>(layer: L, trainable: boolean): L => {
  if ((layer.trainable !== false) === trainable) return layer
  const internals = (layer as { readonly [INTERNALS]?: { readonly retrain?: (t: boolean) => L } })[INTERNALS]
  if (internals?.retrain !== undefined) return internals.retrain(trainable)
  const config: Record<string, Json> = { ...layer.config }
  if (trainable) delete config.trainable
  else config.trainable = false
  const out = { ...layer, config: Object.freeze(config) } as unknown as Record<string, unknown>
  if (trainable) delete out.trainable
  else out.trainable = false
  return Object.freeze(out) as unknown as L
}

/** @internal The symbol under which models keep their internals (see `common.ts`). */
export const INTERNALS: unique symbol = Symbol('tensorfold.model')

/** The same layer under another name (no longer auto-named). Models rename themselves through their internals. */
export const withName = <L extends AnyLayer>(layer: L, name: string): L => {
  if (layer.name === name && layer.autoName !== true) return layer
  const internals = (layer as { readonly [INTERNALS]?: { readonly rename: (n: string) => L } })[INTERNALS]
  if (internals !== undefined) return internals.rename(name)
  return Object.freeze({ ...layer, name, autoName: false, config: Object.freeze({ ...layer.config, name }) })
}

// ---------------------------------------------------------------------------------------------------
// Shapes as Keras shows them.

/** `[null, 8]` -> `(None, 8)`. */
export const showShape = (s: BatchShape): string => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`

/** A layer's output shape(s) as Keras shows them. */
export const showShapes = (s: BatchShape | ReadonlyArray<BatchShape>): string =>
  isShapeList(s) ? `[${s.map(showShape).join(', ')}]` : showShape(s as BatchShape)

/** Whether a shape description is a list of shapes (not one shape). */
export const isShapeList = (s: unknown): s is ReadonlyArray<BatchShape> => Array.isArray(s) && s.length > 0 && s.every((x) => Array.isArray(x))

/** Whether a value is a batch shape: an array of non-negative integers or null. */
export const isBatchShape = (s: unknown): s is BatchShape =>
  Array.isArray(s) && s.every((d) => d === null || (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0))

/** Whether a concrete or batch shape fits an expected batch shape (null matches anything). */
export const shapeFits = (expected: BatchShape, actual: BatchShape): boolean =>
  expected.length === actual.length && expected.every((d, i) => d === null || actual[i] === null || d === actual[i])

/** A batch shape with the batch axis unknown. */
export const withNullBatch = (s: ReadonlyArray<number | null>): BatchShape => Object.freeze([null, ...s.slice(1)])

/** Feature dims of a batch shape; `Left` if one is unknown (layers need concrete feature sizes). */
export const featureDims = (layer: string, s: BatchShape): E.Either<TfError, number[]> => {
  const rest = s.slice(1)
  if (rest.some((d) => d === null))
    return E.left(tfError('InvalidShape', `${layer}: expected known sizes for every axis but the batch axis, received ${showShape(s)}`, { expected: 'known feature sizes', received: s }))
  return E.right(rest as number[])
}

/** A shape error of a layer's `init`. */
export const shapeErr = (layer: string, message: string, expected: unknown, received: unknown): E.Either<TfError, never> =>
  E.left(tfError('ShapeMismatch', `${layer}: ${message}`, { expected, actual: received }))

// ---------------------------------------------------------------------------------------------------
// Tagged errors of layers and models (Keras's messages, as data).

/** The tagged errors of this module. */
export const errors = {
  notALayer: (where: string, received: unknown): LayerError =>
    tfError('NotALayer', `${where}: the added layer must be a Layer (a value with name, kind, init and apply) or an input(...). Received ${whyNotALayer(received)}`, {
      where,
      expected: 'Layer',
      received
    }),
  duplicateLayerName: (model: string, name: string): LayerError =>
    tfError(
      'DuplicateLayerName',
      `All layers added to a ${model === 'Functional' ? 'model' : 'Sequential model'} should have unique names. Name "${name}" is already the name of a layer in this model. Update the \`name\` argument to pass a unique name.`,
      { name }
    ),
  multiOutputLayer: (layer: string): LayerError =>
    tfError('MultiOutputLayer', `All layers in a Sequential model should have a single output tensor. Layer "${layer}" has several outputs: for multi-output layers, use the functional API.`, {
      layer
    }),
  incompatible: (layer: string, expected: BatchShape | ReadonlyArray<BatchShape> | undefined, received: BatchShape | ReadonlyArray<BatchShape>, cause?: TfError): LayerError =>
    tfError(
      'IncompatibleInputShape',
      `Input 0 of layer "${layer}" is incompatible with the layer: ${expected !== undefined ? `expected shape=${showShapes(expected)}, ` : ''}found shape=${showShapes(received)}${cause ? ` (${cause.message})` : ''}`,
      { layer, expected, received, ...(cause ? { cause } : {}) }
    ),
  emptyModel: (model: string): LayerError => tfError('EmptyModel', `There are no layers in the model "${model}" to pop.`, { model }),
  missingInputShape: (model: string): LayerError =>
    tfError('MissingInputShape', `You must provide an \`inputShape\` argument to build the model "${model}" (e.g. model.build([null, 16])), or start it with input({shape}) or a layer with an \`inputShape\` option.`, {
      model
    }),
  notBuilt: (model: string, method: string): LayerError =>
    tfError(
      'NotBuilt',
      `You tried to call \`${method}\` on model "${model}", but the model isn't built. You can build it manually via \`model.build(batchInputShape)\`, or pass an \`inputShape\` to its first layer, or call fit/evaluate/predict on data first.`,
      { model, method }
    ),
  layerNotFound: (name: string, existing: ReadonlyArray<string>): LayerError =>
    tfError('LayerNotFound', `No such layer: ${name}. Existing layers are: [${existing.map((n) => `'${n}'`).join(', ')}].`, { name, existing }),
  layerIndexOutOfRange: (index: number, count: number): LayerError =>
    tfError('LayerNotFound', `Was asked to retrieve layer at index ${index} but model only has ${count} layer${count === 1 ? '' : 's'}.`, {
      index,
      count
    }),
  weightCountMismatch: (model: string, expected: number, actual: number): LayerError =>
    tfError(
      'WeightCountMismatch',
      `You called \`setWeights(weights)\` on model "${model}" with a weight list of length ${actual}, but the model was expecting ${expected} weights.`,
      { model, expected, actual }
    ),
  weightShapeMismatch: (weight: string, expected: ReadonlyArray<number>, actual: ReadonlyArray<number>): LayerError =>
    tfError('WeightShapeMismatch', `Layer weight shape mismatch for "${weight}": expected ${showShape(expected)}, received ${showShape(actual)}.`, {
      weight,
      expected,
      actual
    })
}

/** What a value that is not a layer is, in words: so the message never shows a layer-looking value without saying what it lacks. */
const whyNotALayer = (u: unknown): string => {
  if (typeof u === 'function') return `a function${u.name ? ` named '${u.name}'` : ''}: a layer constructor must be called (e.g. dense(4), not dense)`
  if (typeof u !== 'object' || u === null) return `${u === null ? 'null' : typeof u}: ${show(u)}`
  if (Array.isArray(u)) return `an array of ${u.length}: ${show(u)}`
  const o = u as Record<string, unknown>
  const missing = [
    ...(['name', 'kind'] as const).filter((k) => typeof o[k] !== 'string').map((k) => `${k} (a string)`),
    ...(['init', 'apply'] as const).filter((k) => typeof o[k] !== 'function').map((k) => `${k} (a function)`)
  ]
  return `an object without ${missing.join(', ')}: ${show(u)}`
}

/** Whether a value is a tensor or an array of tensors. */
export const isLayerIO = (u: unknown): u is LayerIO => isTensor(u) || (Array.isArray(u) && u.every(isTensor))

/**
 * @internal A layer's `init`, its Left as the layer's incompatible input shape; a thrown `ResourceLimit`
 * (a shape past the allocation limits) becomes a Left that keeps its tag, so building stays total.
 */
export const initLayer = (layer: AnyLayer, k: Key, shape: Parameters<AnyLayer['init']>[1]): ReturnType<AnyLayer['init']> => {
  let r: ReturnType<AnyLayer['init']>
  try {
    r = layer.init(k, shape)
  } catch (err) {
    if (err instanceof TensorfoldError && err.data._tag === 'ResourceLimit') return E.left(err.data)
    throw err
  }
  return E.isLeft(r) ? E.left(errors.incompatible(layer.name, layer.inputShape, shape, r.left)) : r
}
