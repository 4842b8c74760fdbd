/**
 * The TensorFlow.js layers-model format (`model.json`'s `modelTopology`), both ways.
 *
 * - `toKeras(config)`: a tensorfold model config as a Keras topology: `class_name` `Sequential` or
 *   `Model`, built-in layers with Keras class names and snake_case configs (`use_bias`,
 *   `kernel_initializer: {class_name, config}`, `batch_input_shape`), functional graphs as
 *   `inbound_nodes` / `input_layers` / `output_layers`. What Keras cannot say (seed, input/output styles
 *   and names) is returned apart, for `model.json`'s `tensorfold` field.
 * - `fromKeras(topology, extras)`: the reverse, for files written by tensorfold, TensorFlow.js or
 *   Keras's converter. Keras keys that do not change predictions (`trainable`, `dtype: 'float32'`,
 *   regularizers, constraints, `seed`, `noise_shape: null`, …) are dropped; anything else unknown is an
 *   error naming its path.
 *
 * Law (test/io/tfjs.test.ts): `fromKeras(toKeras(c))` rebuilds a model whose config is `c`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Json } from './json.js'
import { childPath } from './json.js'
import type { ModelConfig, SequentialConfig, FunctionalConfig, LayerConfig, JsonRecord, Ref, KerasTopology } from './codecs.js'
import { ioError, type IoError } from './errors.js'
import { show } from '../core/errors.js'
import { isRecord } from '../core/Tree.js'
import {
  isMapped, WINDOW_KINDS, WEIGHT_OPTION_KINDS, ATTENTION_KINDS, callToKeras, callFromKeras, withoutCallFlags, causalFromKeras, isKwargs, type KerasRef,
  isWeightOptionKey, optionToKeras, optionFromKeras, isInitializerKey, snake, camel, initToKeras, initFromKeras
} from './tfjsKinds.js'

export { KERAS_KINDS, WINDOW_KINDS, NORM_KINDS, ATTENTION_KINDS } from './tfjsKinds.js'

const INIT_KEYS: ReadonlyArray<string> = ['kernelInitializer', 'biasInitializer', 'recurrentInitializer', 'embeddingsInitializer']

/** A layer config in Keras form. */
export const layerToKeras = (lc: LayerConfig): { readonly class_name: string; readonly config: JsonRecord } => {
  if (lc.kind === 'Sequential' || lc.kind === 'Functional') {
    const t = toKeras({ kind: lc.kind, config: lc.config } as unknown as ModelConfig)
    return { class_name: t.topology.class_name, config: t.topology.config as JsonRecord }
  }
  if (!isMapped(lc.kind)) return { class_name: lc.kind, config: lc.config }
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(ATTENTION_KINDS.includes(lc.kind) ? withoutCallFlags(lc.config) : lc.config)) {
    if (k === 'inputShape' && Array.isArray(v)) out.batch_input_shape = [null, ...v]
    else if ((INIT_KEYS.includes(k) || isInitializerKey(k)) && isRecord<Json>(v)) out[snake(k)] = initToKeras(v)
    else if (isWeightOptionKey(k) && isRecord<Json>(v)) out[snake(k)] = optionToKeras(v)
    else if (k === 'layer' && isRecord<Json>(v) && typeof v.kind === 'string' && isRecord<Json>(v.config)) out.layer = layerToKeras({ kind: v.kind, config: v.config } as LayerConfig) as unknown as Json
    else out[snake(k)] = v
  }
  return { class_name: lc.kind, config: out }
}

/** Keras keys that do not change predictions, and the values they may take. */
const DROPPABLE: Readonly<Record<string, (v: Json) => boolean>> = {
  trainable: () => true,
  dtype: (v) => v === 'float32' || v === null || (isRecord<Json>(v) && isRecord<Json>(v.config) && v.config.name === 'float32'),
  kernel_regularizer: () => true,
  bias_regularizer: () => true,
  activity_regularizer: () => true,
  kernel_constraint: () => true,
  depthwise_regularizer: () => true,
  pointwise_regularizer: () => true,
  depthwise_constraint: () => true,
  pointwise_constraint: () => true,
  bias_constraint: () => true,
  beta_regularizer: () => true,
  gamma_regularizer: () => true,
  beta_constraint: () => true,
  gamma_constraint: () => true,
  seed: () => true,
  synchronized: (v) => v === false,
  noise_shape: (v) => v === null,
  data_format: (v) => v === 'channels_last' || v === null,
  batch_size: () => true,
  sparse: (v) => v === false,
  ragged: (v) => v === false,
  lora_rank: (v) => v === null,
  recurrent_regularizer: () => true,
  recurrent_constraint: () => true,
  embeddings_regularizer: () => true,
  embeddings_constraint: () => true,
  // the LSTM/GRU kernel split (1 or 2) gives the same numbers
  implementation: () => true,
  stateful: (v) => v === false,
  time_major: (v) => v === false
}

/** A Keras layer config in tensorfold form. */
export const layerFromKeras = (path: string, className: string, config: JsonRecord): E.Either<IoError, LayerConfig> => {
  if (className === 'Sequential' || className === 'Model' || className === 'Functional') {
    return E.map((m: ModelConfig) => ({ kind: m.kind, config: m.config as unknown as JsonRecord }))(fromKeras(path, { class_name: className, config }, {}))
  }
  if (!isMapped(className)) return E.right({ kind: className, config })
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(config)) {
    const where = `${path}.config.${k}`
    if (WINDOW_KINDS.includes(className) && k === 'data_format') {
      out.dataFormat = v ?? 'channels_last'
      continue
    }
    // the frozen flag and the weight options tensorfold applies are kept
    if (k === 'trainable' && v === false) {
      out.trainable = false
      continue
    }
    const causal = causalFromKeras(className, k, v)
    if (causal !== undefined) {
      Object.assign(out, causal)
      continue
    }
    if (WEIGHT_OPTION_KINDS.includes(className) && isWeightOptionKey(k) && v !== null) {
      const o = optionFromKeras(where, v)
      if (E.isLeft(o)) return o
      out[camel(k)] = o.right
      continue
    }
    if (Object.prototype.hasOwnProperty.call(DROPPABLE, k)) {
      if (!DROPPABLE[k](v)) return E.left(ioError('InvalidLayerConfig', where, `a value that does not change predictions`, v, `${where}: tensorfold cannot load ${show(v)} here (only float32 weights, channels_last, no noise shape)`))
      continue
    }
    // TensorFlow.js writes null for defaults of these
    if (v === null && ['Embedding', 'SimpleRNN', 'LSTM', 'GRU'].includes(className)) continue
    if (k === 'batch_input_shape' || k === 'batch_shape') {
      if (!Array.isArray(v) || v.length === 0) return E.left(ioError('InvalidLayerConfig', where, 'a batch shape', v))
      out.inputShape = v.slice(1)
    } else if (k === 'input_shape' && Array.isArray(v)) out.inputShape = v
    else if ((INIT_KEYS.includes(camel(k)) || isInitializerKey(k)) && v !== null) {
      const i = initFromKeras(where, v)
      if (E.isLeft(i)) return i
      out[camel(k)] = i.right
    } else if (className === 'LeakyReLU' && k === 'negative_slope') out.alpha = v
    else if (k === 'layer' && (className === 'Bidirectional' || className === 'TimeDistributed')) {
      if (!isRecord<Json>(v) || typeof v.class_name !== 'string' || !isRecord<Json>(v.config)) return E.left(ioError('InvalidLayerConfig', where, 'a wrapped layer {class_name, config}', v))
      const inner = layerFromKeras(where, v.class_name, v.config)
      if (E.isLeft(inner)) return inner
      out.layer = inner.right as unknown as Json
    } else out[camel(k)] = v
  }
  return E.right({ kind: className, config: out })
}

/** What `toKeras` returns: the topology, and what only tensorfold reads. */
export interface KerasForm {
  readonly topology: { readonly class_name: string; readonly config: JsonRecord; readonly keras_version: string; readonly backend: string }
  readonly extras: JsonRecord
}

const KERAS_VERSION = 'tfjs-layers 4.22.0'

const sequentialToKeras = (c: SequentialConfig): KerasForm => {
  const layers: Json[] = c.layers.map((l) => layerToKeras(l) as unknown as Json)
  if (c.inputShape !== undefined && (c.layers.length === 0 || c.layers[0].config.inputShape === undefined))
    layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...c.inputShape], dtype: 'float32', sparse: false, name: `${c.name}_input` } })
  return { topology: { class_name: 'Sequential', config: { name: c.name, layers }, keras_version: KERAS_VERSION, backend: 'tensor_flow.js' }, extras: { seed: c.seed } }
}

const functionalToKeras = (c: FunctionalConfig): KerasForm => {
  const layerNames = c.inputs.map((i) => i.name)
  // node j is the k-th call of its layer: Keras names it [layer, k]
  const callIndex: number[] = []
  const calls = new Map<string, number>()
  for (const n of c.nodes) {
    const k = calls.get(n.layer) ?? 0
    callIndex.push(k)
    calls.set(n.layer, k + 1)
  }
  const refToKeras = (r: Ref): [string, number, number] => (r[0] === 'input' ? [layerNames[r[1]], 0, 0] : [c.nodes[r[1]].layer, callIndex[r[1]], r[2] ?? 0])
  const inputLayers: Json[] = c.inputs.map((i) => ({
    name: i.name,
    class_name: 'InputLayer',
    config: { batch_input_shape: [null, ...i.shape], dtype: 'float32', sparse: false, name: i.name },
    inbound_nodes: []
  }))
  const layers: Json[] = c.layers.map((l) => {
    const k = layerToKeras(l)
    const name = typeof l.config.name === 'string' ? l.config.name : l.kind
    const inbound = c.nodes
      .filter((n) => n.layer === name)
      .map((n) => (ATTENTION_KINDS.includes(l.kind) ? callToKeras(l.kind, l.config, n.inputs.map(refToKeras)) : n.inputs.map((r) => [...refToKeras(r), {}])))
    return { name, class_name: k.class_name, config: k.config, inbound_nodes: inbound }
  })
  return {
    topology: {
      class_name: 'Model',
      config: { name: c.name, layers: [...inputLayers, ...layers], input_layers: c.inputs.map((i) => [i.name, 0, 0]), output_layers: c.outputs.map((r) => refToKeras(r)) },
      keras_version: KERAS_VERSION,
      backend: 'tensor_flow.js'
    },
    extras: { seed: c.seed, inputStyle: c.inputStyle, outputStyle: c.outputStyle, inputNames: [...c.inputNames], outputNames: [...c.outputNames] }
  }
}

/** A tensorfold model config as a Keras topology (and tensorfold's extras). */
export const toKeras = (c: ModelConfig): KerasForm => (c.kind === 'Sequential' ? sequentialToKeras(c.config) : functionalToKeras(c.config))

const bad = (path: string, expected: string, received: unknown): E.Either<IoError, never> => E.left(ioError('InvalidModelFile', path, expected, received))

const str = (v: unknown): v is string => typeof v === 'string'

const sequentialFromKeras = (path: string, cfg: Json, extras: JsonRecord): E.Either<IoError, ModelConfig> => {
  // old Keras wrote the layer list directly
  const list = Array.isArray(cfg) ? cfg : isRecord<Json>(cfg) ? cfg.layers : undefined
  const name = isRecord<Json>(cfg) && str(cfg.name) ? cfg.name : 'sequential'
  if (!Array.isArray(list)) return bad(`${path}.config.layers`, 'a list of layers', list)
  let inputShape: ReadonlyArray<Json> | undefined
  const layers: LayerConfig[] = []
  for (let i = 0; i < list.length; i++) {
    const where = `${path}.config.layers[${i}]`
    const l = list[i]
    if (!isRecord<Json>(l) || !str(l.class_name) || !isRecord<Json>(l.config)) return bad(where, 'a layer {class_name, config}', l)
    if (l.class_name === 'InputLayer') {
      if (i !== 0) return bad(`${where}.class_name`, 'an InputLayer only first', l.class_name)
      const s = l.config.batch_input_shape ?? l.config.batch_shape
      if (!Array.isArray(s) || s.length === 0) return bad(`${where}.config.batch_input_shape`, 'a batch shape', s)
      inputShape = s.slice(1)
      continue
    }
    const lc = layerFromKeras(where, l.class_name, l.config)
    if (E.isLeft(lc)) return lc
    layers.push(lc.right)
  }
  const first = layers[0]?.config.inputShape
  const shape = inputShape ?? (Array.isArray(first) ? first : undefined)
  const seed = typeof extras.seed === 'number' ? extras.seed : 0
  return E.right({ kind: 'Sequential', config: { name, seed, layers, ...(shape !== undefined ? { inputShape: shape as ReadonlyArray<number> } : {}) } } as ModelConfig)
}

const functionalFromKeras = (path: string, cfg: Json, extras: JsonRecord): E.Either<IoError, ModelConfig> => {
  if (!isRecord<Json>(cfg) || !Array.isArray(cfg.layers) || !Array.isArray(cfg.input_layers) || !Array.isArray(cfg.output_layers))
    return bad(`${path}.config`, '{name, layers, input_layers, output_layers}', cfg)
  const name = str(cfg.name) ? cfg.name : 'model'
  type KL = { readonly name: string; readonly className: string; readonly config: JsonRecord; readonly inbound: ReadonlyArray<ReadonlyArray<KerasRef>> }
  const kls = new Map<string, KL>()
  const order: string[] = []
  for (let i = 0; i < cfg.layers.length; i++) {
    const where = `${path}.config.layers[${i}]`
    const l = cfg.layers[i]
    if (!isRecord<Json>(l) || !str(l.class_name) || !isRecord<Json>(l.config)) return bad(where, 'a layer {name, class_name, config, inbound_nodes}', l)
    const lname = str(l.name) ? l.name : str(l.config.name) ? l.config.name : undefined
    if (lname === undefined) return bad(`${where}.name`, 'a layer name', l.name)
    if (kls.has(lname)) return bad(`${where}.name`, 'unique layer names', lname)
    const nodes = l.inbound_nodes ?? []
    if (!Array.isArray(nodes)) return bad(`${where}.inbound_nodes`, 'a list of nodes', nodes)
    const inbound: Array<ReadonlyArray<KerasRef>> = []
    let config: JsonRecord = l.config
    for (let j = 0; j < nodes.length; j++) {
      const node = nodes[j]
      // Keras 3 writes {args: [...], kwargs: {}}; tfjs and Keras 2 a list of [name, node, tensor, kwargs]
      const refs = Array.isArray(node) ? node : undefined
      if (refs === undefined) return bad(`${where}.inbound_nodes[${j}]`, 'a list of [layerName, nodeIndex, tensorIndex, kwargs]', node)
      const rs: Array<readonly [string, number, number]> = []
      for (let k = 0; k < refs.length; k++) {
        const r = refs[k]
        if (!Array.isArray(r) || r.length < 3 || !str(r[0]) || !Number.isSafeInteger(r[1]) || !Number.isSafeInteger(r[2]) || (r[1] as number) < 0 || (r[2] as number) < 0)
          return bad(`${where}.inbound_nodes[${j}][${k}]`, '[layerName, nodeIndex, tensorIndex, kwargs]', r)
        rs.push([r[0], r[1] as number, r[2] as number])
      }
      if (!ATTENTION_KINDS.includes(l.class_name)) {
        inbound.push(rs)
        continue
      }
      // attention: the other inputs and the flags are call arguments (tfjsKinds.ts)
      const call = callFromKeras(`${where}.inbound_nodes[${j}]`, l.class_name, rs, refs.map((r) => (Array.isArray(r) && isKwargs(r[3]) ? r[3] : undefined)))
      if (E.isLeft(call)) return call
      inbound.push(call.right.refs)
      config = { ...config, ...call.right.flags }
    }
    kls.set(lname, { name: lname, className: l.class_name, config, inbound })
    order.push(lname)
  }
  const refOf = (where: string, r: Json): E.Either<IoError, readonly [string, number, number]> =>
    Array.isArray(r) && r.length >= 3 && str(r[0]) && Number.isSafeInteger(r[1]) && Number.isSafeInteger(r[2]) && (r[1] as number) >= 0 && (r[2] as number) >= 0
      ? E.right([r[0], r[1] as number, r[2] as number])
      : bad(where, '[layerName, nodeIndex, tensorIndex]', r)
  // inputs
  const inputs: Array<{ name: string; shape: ReadonlyArray<number | null> }> = []
  const inputIndex = new Map<string, number>()
  for (let i = 0; i < cfg.input_layers.length; i++) {
    const r = refOf(`${path}.config.input_layers[${i}]`, cfg.input_layers[i])
    if (E.isLeft(r)) return r
    const l = kls.get(r.right[0])
    if (l === undefined || l.className !== 'InputLayer') return bad(`${path}.config.input_layers[${i}]`, 'the name of an InputLayer', r.right[0])
    const s = l.config.batch_input_shape ?? l.config.batch_shape
    if (!Array.isArray(s) || s.length === 0 || !s.every((d) => d === null || (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)))
      return bad(`${path}.config.layers[${order.indexOf(l.name)}].config.batch_input_shape`, 'a batch shape', s)
    inputIndex.set(l.name, i)
    inputs.push({ name: l.name, shape: (s as ReadonlyArray<number | null>).slice(1) })
  }
  // nodes in topological order: depth first from the outputs, as tensorfold orders them
  const nodes: Array<{ layer: string; inputs: Ref[] }> = []
  const nodeId = new Map<string, number>()
  const used: string[] = []
  const visiting = new Set<string>()
  const visit = (where: string, r: readonly [string, number, number], depth: number): E.Either<IoError, Ref> => {
    const [ln, ni, ti] = r
    if (inputIndex.has(ln)) return E.right(['input', inputIndex.get(ln) as number])
    const l = kls.get(ln)
    if (l === undefined) return bad(where, `the name of a layer of the model`, ln)
    if (l.className === 'InputLayer') return bad(where, 'an InputLayer listed in input_layers', ln)
    if (ni >= l.inbound.length) return bad(where, `a node index below ${l.inbound.length} for layer "${ln}"`, ni)
    const id = `${ln}\u0000${ni}`
    const known = nodeId.get(id)
    if (known !== undefined) return E.right(['node', known, ti === 0 ? null : ti])
    if (visiting.has(id) || depth > 10_000) return bad(where, 'an acyclic graph', ln)
    visiting.add(id)
    const ins: Ref[] = []
    const refs = l.inbound[ni]
    for (let k = 0; k < refs.length; k++) {
      const x = visit(`${path}.config.layers[${order.indexOf(ln)}].inbound_nodes[${ni}][${k}]`, refs[k], depth + 1)
      if (E.isLeft(x)) return x
      ins.push(x.right)
    }
    visiting.delete(id)
    nodeId.set(id, nodes.length)
    nodes.push({ layer: ln, inputs: ins })
    if (!used.includes(ln)) used.push(ln)
    return E.right(['node', nodes.length - 1, ti === 0 ? null : ti])
  }
  const outputs: Ref[] = []
  for (let i = 0; i < cfg.output_layers.length; i++) {
    const where = `${path}.config.output_layers[${i}]`
    const r = refOf(where, cfg.output_layers[i])
    if (E.isLeft(r)) return r
    const o = visit(where, r.right, 0)
    if (E.isLeft(o)) return o
    outputs.push(o.right)
  }
  const layers: LayerConfig[] = []
  for (const ln of used) {
    const l = kls.get(ln) as KL
    const lc = layerFromKeras(`${path}.config.layers[${order.indexOf(ln)}]`, l.className, { ...l.config, name: ln })
    if (E.isLeft(lc)) return lc
    layers.push(lc.right)
  }
  const style = (v: Json | undefined, n: number): 'single' | 'list' | 'record' => (v === 'single' || v === 'list' || v === 'record' ? v : n === 1 ? 'single' : 'list')
  const names = (v: Json | undefined, dflt: ReadonlyArray<string>): ReadonlyArray<string> => (Array.isArray(v) && v.every(str) ? (v as ReadonlyArray<string>) : dflt)
  return E.right({
    kind: 'Functional',
    config: {
      name,
      seed: typeof extras.seed === 'number' ? extras.seed : 0,
      inputs,
      layers,
      nodes,
      outputs,
      inputStyle: style(extras.inputStyle, inputs.length),
      outputStyle: style(extras.outputStyle, outputs.length),
      inputNames: names(extras.inputNames, inputs.map((i) => i.name)),
      outputNames: names(extras.outputNames, [])
    }
  } as unknown as ModelConfig)
}

/**
 * A Keras topology (from tensorfold, TensorFlow.js or Keras) as a tensorfold model config. The result
 * is still checked by `fromConfig`'s codecs.
 */
export const fromKeras = (path: string, topology: KerasTopology | { readonly class_name: string; readonly config: Json }, extras: JsonRecord): E.Either<IoError, ModelConfig> => {
  const cn = topology.class_name
  if (cn === 'Sequential') return sequentialFromKeras(path, topology.config, extras)
  if (cn === 'Model' || cn === 'Functional') return functionalFromKeras(path, topology.config, extras)
  return bad(childPath(path, 'class_name'), "'Sequential', 'Model' or 'Functional'", cn)
}
