/**
 * Rebuilding layers from their `{kind, config}`: `builtinLayers[kind](config)` for every built-in kind
 * (models included), and `fromConfig`, the total (`Either`) form that also takes a table of custom
 * kinds. There is no global registry: custom layers are passed in, never registered.
 *
 * Law: `fromConfig({kind: l.kind, config: l.config})` has the same kind, config and, initialised from
 * the same key, the same params as `l`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { tfError, type TfError, orThrow, show, attempt } from '../core/errors.js'
import type { AnyLayer, Config, Json } from './Layer.js'
import * as Sh from './reshaping.js'
import * as N from './normalization.js'
import * as Z from './noise.js'
import * as P from './preprocessing.js'
import * as L from './core.js'
import * as M from './merge.js'
import * as Emb from './embedding.js'
import * as W from './wrappers.js'
import * as C from './conv.js'
import * as At from './attention.js'
import * as Mha from './attentionMultiHead.js'
import * as Sep from './separable.js'
import * as Pool from './pooling.js'
import type { InitializerLike } from './initializers.js'
import { str, num, nums, base, pass, frozenIf, recurrentBuilders } from './configs.js'
import { sequential } from './sequential.js'
import { input, connect, type SymbolicTensor } from './symbolic.js'
import { model } from './functional.js'

const WEIGHT_KEYS = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint']
const GB_KEYS = ['axis', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint', 'activityRegularizer']

/** A saved layer: its kind and config. */
export interface LayerSpec {
  readonly kind: string
  readonly config: Config
}

/** A table of layer kinds to constructors from config. */
export type LayerTable = { readonly [kind: string]: (config: Config) => AnyLayer }

const specs = (c: Config, k: string): ReadonlyArray<LayerSpec> => (Array.isArray(c[k]) ? (c[k] as unknown as ReadonlyArray<LayerSpec>) : [])

const functionalFromConfig = (c: Config, table: LayerTable): AnyLayer => {
  const ins = (c.inputs as unknown as ReadonlyArray<{ name: string; shape: ReadonlyArray<number> }>).map((i) => input({ shape: i.shape, name: i.name }))
  const layers = new Map(specs(c, 'layers').map((s) => [str(s.config, 'name') as string, orThrow(fromConfig(s, table))]))
  const outs: Array<SymbolicTensor | ReadonlyArray<SymbolicTensor>> = []
  const ref = (r: Json): SymbolicTensor => {
    const [where, i, j] = r as [string, number, number | null]
    if (where === 'input') return ins[i]
    const o = outs[i]
    return j === null ? (o as SymbolicTensor) : (o as ReadonlyArray<SymbolicTensor>)[j]
  }
  for (const n of c.nodes as unknown as ReadonlyArray<{ layer: string; inputs: ReadonlyArray<Json> }>) {
    const l = layers.get(n.layer) as AnyLayer
    const xs = n.inputs.map(ref)
    outs.push(orThrow(connect(l, (l.multiInput === true ? xs : xs[0]) as never)) as SymbolicTensor)
  }
  const names = (k: string) => c[k] as unknown as ReadonlyArray<string>
  const ends = (style: Json, list: ReadonlyArray<SymbolicTensor>, keys: ReadonlyArray<string>) =>
    style === 'single' ? list[0] : style === 'record' ? Object.fromEntries(keys.map((k, i) => [k, list[i]])) : list
  const outputs = (c.outputs as unknown as ReadonlyArray<Json>).map(ref)
  return model({
    inputs: ends(c.inputStyle, ins, names('inputNames')),
    outputs: ends(c.outputStyle, outputs, names('outputNames')),
    name: str(c, 'name'),
    seed: num(c, 'seed')
  }) as unknown as AnyLayer
}

/** The rest of a config after its positional arguments, as constructor options. */
const rest = (c: Config, ...positional: string[]): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(c)) if (!positional.includes(k)) o[k] = v
  return o
}
const convBuilders: LayerTable = {
  Conv1D: (c) => C.conv1d(c.filters as number, c.kernelSize as number[], rest(c, 'filters', 'kernelSize')),
  Conv2D: (c) => C.conv2d(c.filters as number, c.kernelSize as number[], rest(c, 'filters', 'kernelSize')),
  Conv3D: (c) => C.conv3d(c.filters as number, c.kernelSize as number[], rest(c, 'filters', 'kernelSize')),
  Conv2DTranspose: (c) => C.conv2dTranspose(c.filters as number, c.kernelSize as number[], rest(c, 'filters', 'kernelSize')),
  DepthwiseConv2D: (c) => Sep.depthwiseConv2d(c.kernelSize as number[], rest(c, 'kernelSize')),
  SeparableConv2D: (c) => Sep.separableConv2d(c.filters as number, c.kernelSize as number[], rest(c, 'filters', 'kernelSize')),
  MaxPooling1D: (c) => Pool.maxPooling1d(c.poolSize as number[], rest(c, 'poolSize')),
  MaxPooling2D: (c) => Pool.maxPooling2d(c.poolSize as number[], rest(c, 'poolSize')),
  MaxPooling3D: (c) => Pool.maxPooling3d(c.poolSize as number[], rest(c, 'poolSize')),
  AveragePooling1D: (c) => Pool.averagePooling1d(c.poolSize as number[], rest(c, 'poolSize')),
  AveragePooling2D: (c) => Pool.averagePooling2d(c.poolSize as number[], rest(c, 'poolSize')),
  AveragePooling3D: (c) => Pool.averagePooling3d(c.poolSize as number[], rest(c, 'poolSize')),
  GlobalAveragePooling1D: (c) => Pool.globalAveragePooling1d(rest(c)),
  GlobalAveragePooling2D: (c) => Pool.globalAveragePooling2d(rest(c)),
  GlobalAveragePooling3D: (c) => Pool.globalAveragePooling3d(rest(c)),
  GlobalMaxPooling1D: (c) => Pool.globalMaxPooling1d(rest(c)),
  GlobalMaxPooling2D: (c) => Pool.globalMaxPooling2d(rest(c)),
  GlobalMaxPooling3D: (c) => Pool.globalMaxPooling3d(rest(c))
}

/** Every built-in layer kind, rebuilt from its config (throws on a bad config). */
export const builtinLayers: LayerTable = Object.freeze({
  Dense: (c: Config) =>
    L.dense(num(c, 'units') as number, {
      ...base(c),
      activation: str(c, 'activation') as L.ActivationName | undefined,
      useBias: c.useBias !== false,
      kernelInitializer: c.kernelInitializer as unknown as InitializerLike | undefined,
      biasInitializer: c.biasInitializer as unknown as InitializerLike | undefined,
      ...pass(c, WEIGHT_KEYS)
    }),
  Activation: (c: Config) => L.activation(str(c, 'activation') as L.ActivationName, base(c)),
  LeakyReLU: (c: Config) => L.leakyRelu({ ...base(c), alpha: num(c, 'alpha') }),
  Dropout: (c: Config) => L.dropout(num(c, 'rate') as number, base(c)),
  Flatten: (c: Config) => L.flatten(base(c)),
  Reshape: (c: Config) => L.reshape(nums(c, 'targetShape') as ReadonlyArray<number>, base(c)),
  Identity: (c: Config) => L.identity(base(c)),
  Add: (c: Config) => M.add(base(c)),
  Multiply: (c: Config) => M.multiply(base(c)),
  Average: (c: Config) => M.average(base(c)),
  Concatenate: (c: Config) => M.concatenate({ ...base(c), axis: num(c, 'axis') }),
  Embedding: (c: Config) =>
    Emb.embedding(num(c, 'inputDim') as number, num(c, 'outputDim') as number, {
      ...base(c),
      maskZero: c.maskZero === true,
      embeddingsInitializer: c.embeddingsInitializer as unknown as InitializerLike | undefined,
      inputLength: num(c, 'inputLength'),
      ...pass(c, ['embeddingsRegularizer', 'embeddingsConstraint', 'activityRegularizer'])
    }),
  Masking: (c: Config) => Emb.masking(num(c, 'maskValue') ?? 0, base(c)),
  ...recurrentBuilders,
  Bidirectional: (c: Config) =>
    W.bidirectional(orThrow(fromConfig(c.layer as unknown as LayerSpec)), { ...base(c), mergeMode: c.mergeMode === undefined ? undefined : (c.mergeMode as W.MergeMode) }),
  TimeDistributed: (c: Config) => W.timeDistributed(orThrow(fromConfig(c.layer as unknown as LayerSpec)), base(c)),
  // convolution and pooling: positional arguments out of the config, every other key is an option
  ...convBuilders,
  UpSampling2D: (c: Config) => Sh.upSampling2d(c.size as unknown as readonly [number, number], { ...base(c), ...pass(c, ['interpolation']) }),
  ZeroPadding2D: (c: Config) => Sh.zeroPadding2d(c.padding as unknown as Sh.Pairs2d, base(c)),
  Cropping2D: (c: Config) => Sh.cropping2d(c.cropping as unknown as Sh.Pairs2d, base(c)),
  RepeatVector: (c: Config) => Sh.repeatVector(num(c, 'n') as number, base(c)),
  Permute: (c: Config) => Sh.permute(nums(c, 'dims') as ReadonlyArray<number>, base(c)),
  BatchNormalization: (c: Config) => N.batchNormalization({ ...base(c), ...pass(c, [...GB_KEYS, 'momentum', 'movingMeanInitializer', 'movingVarianceInitializer']) }),
  LayerNormalization: (c: Config) => N.layerNormalization({ ...base(c), ...pass(c, GB_KEYS) }),
  SpatialDropout1D: (c: Config) => Z.spatialDropout1d(num(c, 'rate') as number, base(c)),
  SpatialDropout2D: (c: Config) => Z.spatialDropout2d(num(c, 'rate') as number, base(c)),
  GaussianNoise: (c: Config) => Z.gaussianNoise(num(c, 'stddev') as number, base(c)),
  Rescaling: (c: Config) => P.rescaling(num(c, 'scale') as number, { ...base(c), ...pass(c, ['offset']) }),
  Normalization: (c: Config) => P.normalization({ ...base(c), ...pass(c, ['mean', 'variance', 'invert']), ...(c.axis !== undefined ? { axis: c.axis as number | null } : {}) }),
  Attention: (c: Config) => At.attention({ ...base(c), ...pass(c, ['useScale', 'scoreMode', 'dropout', 'useCausalMask', 'returnAttentionScores']) }),
  AdditiveAttention: (c: Config) => At.additiveAttention({ ...base(c), ...pass(c, ['useScale', 'dropout', 'useCausalMask', 'returnAttentionScores']) }),
  MultiHeadAttention: (c: Config) =>
    Mha.multiHeadAttention(num(c, 'numHeads') as number, num(c, 'keyDim') as number, {
      ...base(c),
      ...pass(c, ['valueDim', 'dropout', 'useBias', 'outputShape', 'attentionAxes', 'kernelInitializer', 'biasInitializer', 'useCausalMask', 'returnAttentionScores', ...WEIGHT_KEYS])
    }),
  Sequential: (c: Config) =>
    frozenIf(c, sequential(specs(c, 'layers').map((s) => orThrow(fromConfig(s))) as never, { name: str(c, 'name'), inputShape: nums(c, 'inputShape'), seed: num(c, 'seed') }) as unknown as AnyLayer),
  Functional: (c: Config) => frozenIf(c, functionalFromConfig(c, builtinLayers))
}) as LayerTable

/**
 * Rebuild a layer (or a model) from `{kind, config}`; `custom` adds kinds of your own layers.
 * @example fromConfig({ kind: l.kind, config: l.config }) // Right(layer)
 */
export const fromConfig = (spec: LayerSpec, custom: LayerTable = {}): E.Either<TfError, AnyLayer> => {
  if (typeof spec !== 'object' || spec === null || typeof spec.kind !== 'string')
    return E.left(tfError('InvalidOption', `fromConfig: expected {kind, config}, received ${show(spec)}`, { expected: '{kind, config}', received: spec }))
  const table: LayerTable = { ...builtinLayers, ...custom }
  const make = Object.prototype.hasOwnProperty.call(table, spec.kind) ? table[spec.kind] : undefined
  if (make === undefined)
    return E.left(
      tfError('UnknownLayer', `fromConfig: unknown layer kind ${show(spec.kind)}; known kinds: ${Object.keys(table).join(', ')}. Pass custom layers in the second argument.`, {
        expected: Object.keys(table),
        received: spec.kind
      })
    )
  if (spec.kind === 'Functional') return attempt(() => frozenIf(spec.config ?? {}, functionalFromConfig(spec.config ?? {}, table)))
  if (spec.kind === 'Sequential') {
    const c = spec.config ?? {}
    return attempt(() =>
      frozenIf(c, sequential(specs(c, 'layers').map((s) => orThrow(fromConfig(s, custom))) as never, { name: str(c, 'name'), inputShape: nums(c, 'inputShape'), seed: num(c, 'seed') }) as unknown as AnyLayer)
    )
  }
  // the frozen flag is applied here, for every kind (constructors need not know it)
  const c = spec.config ?? {}
  const { trainable: _t, ...rest } = c
  return attempt(() => frozenIf(c, make(rest as Config)))
}
