/**
 * Rebuilding layers from configs read from files. Each built-in kind has a strict codec for its
 * config (an unknown key, a wrong type, an absurd size is an `InvalidLayerConfig` naming the path) and
 * is then built by its own constructor. Custom layers come from the caller — `load(dir, {layers:
 * {myLayer}})` — never from a global registry: a file can only name a kind, and only the kinds the
 * caller handed over (or the built-ins) can be built.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type TfError, TensorfoldError, toTfError } from '../core/errors.js'
import { type AnyLayer, type Config, isLayer, withName } from '../layers/Layer.js'
import { fromConfig } from '../layers/builtin.js'
import { builtinInitializers } from '../layers/initializers.js'
import { strict, ShapeC, JsonRecordC, reportErrors, type JsonRecord } from './codecs.js'
import { ioError, asIoError, type IoError } from './errors.js'

/** A custom layer constructor: its config in, the layer out (it may throw or return `Either`). */
export type LayerFromConfig = (config: Config) => AnyLayer | E.Either<TfError, AnyLayer>

/** Custom layer constructors by kind (`{MyLayer: myLayer}`, or `{myLayer}` for kind `MyLayer`). */
export type CustomLayers = { readonly [kind: string]: LayerFromConfig }

const InitializerJsonC = strict('Initializer', {
  kind: new t.Type<string, string, unknown>(
    'InitializerKind',
    (u): u is string => typeof u === 'string' && Object.prototype.hasOwnProperty.call(builtinInitializers, u),
    (u, c) => (typeof u === 'string' && Object.prototype.hasOwnProperty.call(builtinInitializers, u) ? t.success(u) : t.failure(u, c, `one of ${Object.keys(builtinInitializers).map((k) => `'${k}'`).join(', ')}`)),
    (a) => a
  ),
  config: JsonRecordC
})

const Base = { name: t.string, inputShape: ShapeC, trainable: t.boolean }

// regularizers and constraints: {kind, config}, decoded by the constructors (weights.ts)
const WeightOptC = strict('WeightOption', { kind: t.string }, { config: JsonRecordC })
const NumsC = t.union([t.number, t.readonlyArray(t.number)])
const AxisC = t.union([t.Int, t.readonlyArray(t.Int)])
const Pairs2dC = t.union([t.Int, t.readonlyArray(t.Int), t.readonlyArray(t.readonlyArray(t.Int))])
const GammaBeta = {
  ...Base,
  axis: AxisC,
  epsilon: t.number,
  center: t.boolean,
  scale: t.boolean,
  betaInitializer: InitializerJsonC,
  gammaInitializer: InitializerJsonC,
  betaRegularizer: WeightOptC,
  gammaRegularizer: WeightOptC,
  betaConstraint: WeightOptC,
  gammaConstraint: WeightOptC,
  activityRegularizer: WeightOptC
}
/** The norm family: shape, normalization, noise and preprocessing layers. */
const normCodecs = {
  UpSampling2D: strict('UpSampling2D', { size: t.union([t.Int, t.readonlyArray(t.Int)]) }, { ...Base, interpolation: t.string }),
  ZeroPadding2D: strict('ZeroPadding2D', { padding: Pairs2dC }, Base),
  Cropping2D: strict('Cropping2D', { cropping: Pairs2dC }, Base),
  RepeatVector: strict('RepeatVector', { n: t.Int }, Base),
  Permute: strict('Permute', { dims: t.readonlyArray(t.Int) }, Base),
  BatchNormalization: strict('BatchNormalization', {}, { ...GammaBeta, momentum: t.number, movingMeanInitializer: InitializerJsonC, movingVarianceInitializer: InitializerJsonC }),
  LayerNormalization: strict('LayerNormalization', {}, GammaBeta),
  SpatialDropout1D: strict('SpatialDropout1D', { rate: t.number }, Base),
  SpatialDropout2D: strict('SpatialDropout2D', { rate: t.number }, Base),
  GaussianNoise: strict('GaussianNoise', { stddev: t.number }, Base),
  Rescaling: strict('Rescaling', { scale: t.number }, { ...Base, offset: t.number }),
  Normalization: strict('Normalization', {}, { ...Base, axis: t.union([t.null, AxisC]), mean: t.union([t.null, NumsC]), variance: t.union([t.null, NumsC]), invert: t.boolean })
}

// convolution and pooling: sizes are one integer or one per spatial axis; the constructors check the rest
const IntsC = t.union([t.Int, t.readonlyArray(t.Int)])
const ConvCommon = {
  ...Base, strides: IntsC, padding: t.string, dataFormat: t.string, dilationRate: IntsC, activation: t.string, useBias: t.boolean, biasInitializer: InitializerJsonC,
  biasRegularizer: WeightOptC, activityRegularizer: WeightOptC, biasConstraint: WeightOptC
}
const KernelOpts = { kernelInitializer: InitializerJsonC, kernelRegularizer: WeightOptC, kernelConstraint: WeightOptC }
const DepthwiseOpts = { depthMultiplier: t.Int, depthwiseInitializer: InitializerJsonC, depthwiseRegularizer: WeightOptC, depthwiseConstraint: WeightOptC }
const convC = (kind: string) => strict(kind, { filters: t.Int, kernelSize: IntsC }, { ...ConvCommon, groups: t.Int, ...KernelOpts })
const poolC = (kind: string) => strict(kind, {}, { ...Base, poolSize: IntsC, strides: t.union([t.null, IntsC]), padding: t.string, dataFormat: t.string })
const globalC = (kind: string) => strict(kind, {}, { ...Base, dataFormat: t.string, keepdims: t.boolean })
const convCodecs = {
  Conv1D: convC('Conv1D'),
  Conv2D: convC('Conv2D'),
  Conv3D: convC('Conv3D'),
  Conv2DTranspose: strict('Conv2DTranspose', { filters: t.Int, kernelSize: IntsC }, { ...ConvCommon, outputPadding: t.union([t.null, IntsC]), ...KernelOpts }),
  DepthwiseConv2D: strict('DepthwiseConv2D', { kernelSize: IntsC }, { ...ConvCommon, ...DepthwiseOpts }),
  SeparableConv2D: strict('SeparableConv2D', { filters: t.Int, kernelSize: IntsC }, {
    ...ConvCommon, ...DepthwiseOpts, pointwiseInitializer: InitializerJsonC, pointwiseRegularizer: WeightOptC, pointwiseConstraint: WeightOptC
  }),
  MaxPooling1D: poolC('MaxPooling1D'),
  MaxPooling2D: poolC('MaxPooling2D'),
  MaxPooling3D: poolC('MaxPooling3D'),
  AveragePooling1D: poolC('AveragePooling1D'),
  AveragePooling2D: poolC('AveragePooling2D'),
  AveragePooling3D: poolC('AveragePooling3D'),
  GlobalAveragePooling1D: globalC('GlobalAveragePooling1D'),
  GlobalAveragePooling2D: globalC('GlobalAveragePooling2D'),
  GlobalAveragePooling3D: globalC('GlobalAveragePooling3D'),
  GlobalMaxPooling1D: globalC('GlobalMaxPooling1D'),
  GlobalMaxPooling2D: globalC('GlobalMaxPooling2D'),
  GlobalMaxPooling3D: globalC('GlobalMaxPooling3D')
}

// a wrapped layer: its kind and config (built, and so checked, by the wrapper's constructor)
const WrappedC = strict('WrappedLayer', { kind: t.string, config: JsonRecordC })

const Recurrent = {
  ...Base,
  activation: t.string,
  useBias: t.boolean,
  kernelInitializer: InitializerJsonC,
  recurrentInitializer: InitializerJsonC,
  biasInitializer: InitializerJsonC,
  dropout: t.number,
  recurrentDropout: t.number,
  returnSequences: t.boolean,
  returnState: t.boolean,
  goBackwards: t.boolean,
  unroll: t.boolean
}

// attention: Keras's call arguments use_causal_mask / return_attention_scores are options here
const DenseAttention = { ...Base, dropout: t.number, useCausalMask: t.boolean, returnAttentionScores: t.boolean }
const attentionCodecs = {
  Attention: strict('Attention', {}, { ...DenseAttention, useScale: t.boolean, scoreMode: t.union([t.literal('dot'), t.literal('concat')]) }),
  AdditiveAttention: strict('AdditiveAttention', {}, { ...DenseAttention, useScale: t.boolean }),
  MultiHeadAttention: strict('MultiHeadAttention', { numHeads: t.Int, keyDim: t.Int }, {
    ...DenseAttention,
    valueDim: t.union([t.Int, t.null]),
    useBias: t.boolean,
    outputShape: t.union([t.null, t.Int, t.readonlyArray(t.Int)]),
    attentionAxes: t.union([t.null, t.Int, t.readonlyArray(t.Int)]),
    kernelInitializer: InitializerJsonC,
    biasInitializer: InitializerJsonC,
    kernelRegularizer: WeightOptC, biasRegularizer: WeightOptC, activityRegularizer: WeightOptC, kernelConstraint: WeightOptC, biasConstraint: WeightOptC,
    // Keras 2.15 saves the shapes it was built with; tensorfold builds from the graph and ignores them
    queryShape: t.unknown, keyShape: t.unknown, valueShape: t.unknown
  })
}

/** The config codec of each built-in kind. */
const configCodecs = {
  Dense: strict('Dense', { units: t.number }, {
    ...Base, activation: t.string, useBias: t.boolean, kernelInitializer: InitializerJsonC, biasInitializer: InitializerJsonC,
    kernelRegularizer: WeightOptC, biasRegularizer: WeightOptC, activityRegularizer: WeightOptC, kernelConstraint: WeightOptC, biasConstraint: WeightOptC
  }),
  Activation: strict('Activation', { activation: t.string }, Base),
  Dropout: strict('Dropout', { rate: t.number }, Base),
  Flatten: strict('Flatten', {}, Base),
  Reshape: strict('Reshape', { targetShape: t.readonlyArray(t.Int) }, Base),
  Identity: strict('Identity', {}, Base),
  LeakyReLU: strict('LeakyReLU', {}, { ...Base, alpha: t.number }),
  Add: strict('Add', {}, Base),
  Multiply: strict('Multiply', {}, Base),
  Average: strict('Average', {}, Base),
  Concatenate: strict('Concatenate', {}, { ...Base, axis: t.Int }),
  Embedding: strict('Embedding', { inputDim: t.Int, outputDim: t.Int }, { ...Base, maskZero: t.boolean, embeddingsInitializer: InitializerJsonC, inputLength: t.union([t.Int, t.null]), embeddingsRegularizer: WeightOptC, embeddingsConstraint: WeightOptC, activityRegularizer: WeightOptC }),
  Masking: strict('Masking', {}, { ...Base, maskValue: t.number }),
  SimpleRNN: strict('SimpleRNN', { units: t.Int }, Recurrent),
  LSTM: strict('LSTM', { units: t.Int }, { ...Recurrent, recurrentActivation: t.string, unitForgetBias: t.boolean }),
  GRU: strict('GRU', { units: t.Int }, { ...Recurrent, recurrentActivation: t.string, resetAfter: t.boolean }),
  Bidirectional: strict('Bidirectional', { layer: WrappedC }, { ...Base, mergeMode: t.union([t.literal('concat'), t.literal('sum'), t.literal('mul'), t.literal('ave'), t.null]) }),
  TimeDistributed: strict('TimeDistributed', { layer: WrappedC }, Base),
  ...convCodecs,
  ...normCodecs,
  ...attentionCodecs
}

/** The built-in kinds a file may name. */
export type BuiltinKind = keyof typeof configCodecs
/** The built-in kinds a file may name. */
export const BUILTIN_KINDS: ReadonlyArray<BuiltinKind> = Object.freeze(Object.keys(configCodecs) as BuiltinKind[])


const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

const isEither = (u: unknown): u is E.Either<TfError, unknown> =>
  typeof u === 'object' && u !== null && ((u as { _tag?: unknown })._tag === 'Left' || (u as { _tag?: unknown })._tag === 'Right')

/** Call a custom constructor, turning throws and `Left`s into an `InvalidLayerConfig`. */
const callCustom = (path: string, kind: string, f: LayerFromConfig, config: Config): E.Either<IoError, AnyLayer> => {
  let r: unknown
  try {
    r = f(config)
  } catch (err) {
    return E.left(asIoError('InvalidLayerConfig', path, err instanceof TensorfoldError ? err.data : toTfError(err)))
  }
  if (isEither(r)) {
    if (E.isLeft(r)) return E.left(asIoError('InvalidLayerConfig', path, r.left))
    r = r.right
  }
  return isLayer(r) ? E.right(r) : E.left(ioError('InvalidLayerConfig', path, `the custom constructor for '${kind}' to return a layer`, r))
}

/**
 * Build a layer from its kind and config. Custom constructors win over built-ins of the same kind.
 * The layer gets the saved name.
 */
export const layerFromConfig = (path: string, kind: string, config: JsonRecord, custom: CustomLayers = {}): E.Either<IoError, AnyLayer> => {
  const customFn = own(custom, kind) ? custom[kind] : own(custom, lowerFirst(kind)) ? custom[lowerFirst(kind)] : undefined
  const named = (l: AnyLayer): AnyLayer => (typeof config.name === 'string' ? withName(l, config.name) : l)
  if (typeof customFn === 'function') return E.map(named)(callCustom(path, kind, customFn, config))
  if (!own(configCodecs, kind))
    return E.left(
      ioError(
        'UnknownLayerKind',
        path,
        [...BUILTIN_KINDS, ...Object.keys(custom)],
        kind,
        `${path}: unknown layer kind '${kind}'. Built-in kinds: ${BUILTIN_KINDS.join(', ')}. For a custom layer pass its constructor: load(dir, { layers: { ${kind}: (config) => layer } })`
      )
    )
  const k = kind as BuiltinKind
  const codec = configCodecs[k] as unknown as t.Type<unknown, unknown, unknown>
  return pipe(
    codec.decode(config),
    E.mapLeft((es) => {
      const e = reportErrors(path, es)
      return ioError('InvalidLayerConfig', e.path.replace(': (root)', ''), e.expected, e.received, e.message)
    }),
    // decoded and checked here; built by the layers module's own table (one mapping from config to layer)
    E.chain((c) => pipe(fromConfig({ kind: k, config: c as Config }), E.mapLeft((e) => asIoError('InvalidLayerConfig', path, e)))),
    E.map(named)
  )
}
