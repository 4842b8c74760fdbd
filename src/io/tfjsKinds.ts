/**
 * Which built-in kinds the TensorFlow.js format maps (Keras class names, snake_case configs), and the
 * call arguments Keras writes into a functional graph's `inbound_nodes` rather than into the layer's
 * config (the attention layers' `value`, `key`, `attention_mask`, `use_causal_mask`,
 * `return_attention_scores`), and the nested `{class_name, config}` values (initializers, regularizers,
 * constraints) in both forms. Used by `tfjs.ts`.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Json } from './json.js'
import type { JsonRecord } from './codecs.js'
import { ioError, type IoError } from './errors.js'
import { isRecord } from '../core/Tree.js'

/** The built-in kinds whose configs are mapped to Keras's snake_case (custom kinds are kept verbatim). */
export const KERAS_KINDS: ReadonlyArray<string> = Object.freeze(['Dense', 'Activation', 'Dropout', 'Flatten', 'Reshape', 'LeakyReLU', 'Add', 'Multiply', 'Average', 'Concatenate', 'Identity',
  'Embedding', 'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'TimeDistributed', 'Masking'])
/** Convolution and pooling kinds: mapped like the others, and their `data_format` is kept (not dropped). */
export const WINDOW_KINDS: ReadonlyArray<string> = Object.freeze([
  'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D'
])
/** Shape, normalization, noise and preprocessing kinds (Keras class names, snake_case configs). */
export const NORM_KINDS: ReadonlyArray<string> = Object.freeze([
  'UpSampling2D', 'ZeroPadding2D', 'Cropping2D', 'RepeatVector', 'Permute', 'BatchNormalization', 'LayerNormalization',
  'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'Rescaling', 'Normalization'
])
/** Attention kinds: Keras's call arguments travel in the graph's inbound nodes (see below). */
export const ATTENTION_KINDS: ReadonlyArray<string> = Object.freeze(['MultiHeadAttention', 'Attention', 'AdditiveAttention'])

/** Whether a kind's config is mapped to Keras's form. */
export const isMapped = (kind: string): boolean => KERAS_KINDS.includes(kind) || WINDOW_KINDS.includes(kind) || NORM_KINDS.includes(kind) || ATTENTION_KINDS.includes(kind)

/** The kinds whose regularizers and constraints tensorfold applies (kept when loading; dropped elsewhere). */
export const WEIGHT_OPTION_KINDS: ReadonlyArray<string> = [
  'Dense', 'Embedding', 'BatchNormalization', 'LayerNormalization', 'MultiHeadAttention', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D'
]

// ---------------------------------------------------------------------------------------------------
// nested {class_name, config} values: initializers, regularizers, constraints

export const isWeightOptionKey = (k: string): boolean => /(Regularizer|Constraint)$/.test(k) || /_(regularizer|constraint)$/.test(k)

/** `{kind, config}` (tensorfold) to `{class_name, config}` (Keras, snake_case keys); regularizers are L1L2, as TensorFlow.js reads them. */
export const optionToKeras = (o: JsonRecord): Json => {
  const cfg: Record<string, Json> = {}
  for (const [k, v] of Object.entries(isRecord<Json>(o.config) ? o.config : {})) cfg[snake(k)] = v
  return { class_name: o.kind as string, config: cfg }
}

export const optionFromKeras = (path: string, o: Json): E.Either<IoError, Json> => {
  if (!isRecord<Json>(o) || typeof o.class_name !== 'string') return E.left(ioError('InvalidLayerConfig', path, 'a regularizer or constraint {class_name, config}', o))
  const cfg: Record<string, Json> = {}
  for (const [k, v] of Object.entries(isRecord<Json>(o.config) ? o.config : {})) cfg[camel(k)] = v
  return E.right({ kind: o.class_name, config: cfg })
}
export const isInitializerKey = (k: string): boolean => /Initializer$/.test(k) || /_initializer$/.test(k)

export const snake = (k: string): string => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
export const camel = (k: string): string => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())


const VALUE_TO_KERAS: Readonly<Record<string, string>> = { fanIn: 'fan_in', fanOut: 'fan_out', fanAvg: 'fan_avg', truncatedNormal: 'truncated_normal', untruncatedNormal: 'untruncated_normal' }
const VALUE_FROM_KERAS: Readonly<Record<string, string>> = {
  fan_in: 'fanIn',
  fan_out: 'fanOut',
  fan_avg: 'fanAvg',
  truncated_normal: 'truncatedNormal',
  untruncated_normal: 'untruncatedNormal',
  // TensorFlow.js writes its truncated normal as 'normal'
  normal: 'truncatedNormal'
}

export const initToKeras = (i: JsonRecord): Json => {
  const cfg: Record<string, Json> = {}
  for (const [k, v] of Object.entries(isRecord<Json>(i.config) ? i.config : {})) cfg[snake(k)] = typeof v === 'string' && VALUE_TO_KERAS[v] !== undefined ? VALUE_TO_KERAS[v] : v
  return { class_name: i.kind as string, config: cfg }
}

export const initFromKeras = (path: string, i: Json): E.Either<IoError, Json> => {
  if (!isRecord<Json>(i) || typeof i.class_name !== 'string') return E.left(ioError('InvalidModelFile', path, 'an initializer {class_name, config}', i))
  const cfg: Record<string, Json> = {}
  for (const [k, v] of Object.entries(isRecord<Json>(i.config) ? i.config : {})) {
    if (k === 'seed' || k === 'dtype') continue
    cfg[camel(k)] = typeof v === 'string' && Object.prototype.hasOwnProperty.call(VALUE_FROM_KERAS, v) ? VALUE_FROM_KERAS[v] : v
  }
  return E.right({ kind: i.class_name, config: cfg })
}

// ---------------------------------------------------------------------------------------------------
// call arguments of the attention layers

/** A tensor reference in a Keras graph: `[layerName, nodeIndex, tensorIndex]`. */
export type KerasRef = readonly [string, number, number]
/** A reference with the call's keyword arguments (Keras 2 writes them on each tensor of the first argument). */
export type KerasRefWithArgs = readonly [string, number, number, JsonRecord]

/** The layer options that are Keras call arguments: tensorfold config key -> Keras keyword. */
const CALL_FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['useCausalMask', 'use_causal_mask'],
  ['returnAttentionScores', 'return_attention_scores']
]

/**
 * A node of an attention layer, Keras style: the flags move from the layer's config into the call's
 * keyword arguments; MultiHeadAttention's `[query, value, key?, attentionMask?]` becomes `query` with
 * `value`, `key`, `attention_mask` keywords (Keras's `Node.serialize`).
 */
export const callToKeras = (kind: string, config: JsonRecord, refs: ReadonlyArray<KerasRef>): ReadonlyArray<KerasRefWithArgs> => {
  const flags: Record<string, Json> = {}
  for (const [k, kw] of CALL_FLAGS) if (config[k] === true) flags[kw] = true
  if (kind !== 'MultiHeadAttention') return refs.map((r) => [...r, flags] as const)
  const [q, v, k, mask] = refs
  const kwargs: Record<string, Json> = { value: [...v], ...(k !== undefined ? { key: [...k] } : {}), ...(mask !== undefined ? { attention_mask: [...mask] } : {}), ...flags }
  return [[...q, kwargs]]
}

/** A layer config without the call flags (what Keras's `get_config` holds). */
export const withoutCallFlags = (config: JsonRecord): JsonRecord => {
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(config)) if (!CALL_FLAGS.some(([c]) => c === k)) out[k] = v
  return out
}

const isRef = (r: unknown): r is KerasRef =>
  Array.isArray(r) && r.length >= 3 && typeof r[0] === 'string' && Number.isSafeInteger(r[1]) && Number.isSafeInteger(r[2]) && (r[1] as number) >= 0 && (r[2] as number) >= 0

/**
 * The inputs and the call flags of one node of an attention layer, read from Keras's form: the refs
 * in order `[query, value, key?, attentionMask?]` (Attention: the list as given), and the flags as
 * tensorfold config entries.
 */
export const callFromKeras = (
  path: string,
  kind: string,
  refs: ReadonlyArray<KerasRef>,
  kwargs: ReadonlyArray<JsonRecord | undefined>
): E.Either<IoError, { readonly refs: ReadonlyArray<KerasRef>; readonly flags: JsonRecord }> => {
  const flags: Record<string, Json> = {}
  const allowed = kind === 'MultiHeadAttention' ? ['value', 'key', 'attention_mask', 'training', 'mask'] : ['training', 'mask']
  for (let i = 0; i < kwargs.length; i++) {
    const kw = kwargs[i] ?? {}
    for (const [name, v] of Object.entries(kw)) {
      const flag = CALL_FLAGS.find(([, k]) => k === name)
      if (flag !== undefined) {
        if (typeof v !== 'boolean') return E.left(ioError('InvalidModelFile', `${path}[${i}][3].${name}`, 'a boolean', v))
        if (v) flags[flag[0]] = true
      } else if (!allowed.includes(name)) return E.left(ioError('InvalidModelFile', `${path}[${i}][3].${name}`, `a call argument of ${kind} (${[...allowed, ...CALL_FLAGS.map(([, k]) => k)].join(', ')})`, name))
    }
  }
  if (kind !== 'MultiHeadAttention') return E.right({ refs, flags })
  const kw = kwargs[0] ?? {}
  const at = (name: string): E.Either<IoError, KerasRef | undefined> => {
    const v = kw[name]
    if (v === undefined || v === null) return E.right(undefined)
    return isRef(v) ? E.right([v[0], v[1], v[2]] as const) : E.left(ioError('InvalidModelFile', `${path}[0][3].${name}`, '[layerName, nodeIndex, tensorIndex]', v))
  }
  const value = at('value')
  const key = at('key')
  const mask = at('attention_mask')
  if (E.isLeft(value)) return value
  if (E.isLeft(key)) return key
  if (E.isLeft(mask)) return mask
  // Keras 2 names every call argument but the first; an older writer may list value positionally
  const v = value.right ?? refs[1]
  if (refs.length === 0 || v === undefined) return E.left(ioError('InvalidModelFile', path, 'a MultiHeadAttention call with a query and a value', refs))
  const k = key.right ?? refs[2]
  const out: KerasRef[] = [refs[0], v]
  if (k !== undefined || mask.right !== undefined) out.push(k ?? v)
  if (mask.right !== undefined) out.push(mask.right)
  return E.right({ refs: out, flags })
}

/** Keras's deprecated `causal` config key of Attention/AdditiveAttention, as `useCausalMask`. */
export const causalFromKeras = (className: string, k: string, v: Json): JsonRecord | undefined =>
  (className === 'Attention' || className === 'AdditiveAttention') && k === 'causal' ? (v === true ? { useCausalMask: true } : {}) : undefined

/** Whether a value is a JSON record (for callers reading kwargs). */
export const isKwargs = (u: unknown): u is JsonRecord => isRecord<Json>(u)
