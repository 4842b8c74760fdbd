/**
 * The graph of a functional model: its nodes in topological order with unique layer names
 * ({@link graphOf}), the weights of its layers ({@link initGraph}), the pure forward pass that threads
 * values, states and masks through it ({@link run}), and its config ({@link configOf}). The model value
 * around it lives in `functional.ts`.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { type Key, foldIn } from '../core/Key.js'
import { tfError, type TfError, show } from '../core/errors.js'
import type { Ctx } from './Model.js'
import { type AnyLayer, type BatchShape, type LayerIO, type Config, type Json, errors, withName, showShapes, initLayer } from './Layer.js'
import { type SymbolicTensor, type LayerNode, type InputNode, isSymbolic, inputLayer } from './symbolic.js'
import * as C from './common.js'
import { outputMask, type OutputMask, ctxWithMask, ctxWithMasks } from './mask.js'

export interface Graph {
  readonly inputs: ReadonlyArray<SymbolicTensor>
  readonly inputNames: ReadonlyArray<string>
  readonly inputStyle: 'single' | 'list' | 'record'
  readonly outputs: ReadonlyArray<SymbolicTensor>
  readonly outputNames: ReadonlyArray<string>
  readonly outputStyle: 'single' | 'list' | 'record'
  /** layer nodes in topological order */
  readonly nodes: ReadonlyArray<LayerNode>
  /** distinct layers of the nodes (original values) -> named layer */
  readonly named: ReadonlyMap<AnyLayer, AnyLayer>
  /** input node -> position */
  readonly inputIndex: ReadonlyMap<InputNode, number>
  /** all layers: inputs first, then the named layers in order of first use */
  readonly layers: ReadonlyArray<AnyLayer>
  /** the named layers with weights to initialise, in order, with the input shape of their first use */
  readonly owners: ReadonlyArray<{ readonly layer: AnyLayer; readonly inputShape: BatchShape | ReadonlyArray<BatchShape> }>
}

/** The same graph with its named layers replaced (by `f`, keeping names). */
export const mapGraph = (g: Graph, f: (l: AnyLayer) => AnyLayer): Graph => {
  const swap = new Map<AnyLayer, AnyLayer>()
  for (const o of g.owners) swap.set(o.layer, f(o.layer))
  const at = (l: AnyLayer): AnyLayer => swap.get(l) ?? l
  return {
    ...g,
    named: new Map([...g.named].map(([k, v]) => [k, at(v)])),
    layers: Object.freeze(g.layers.map(at)),
    owners: g.owners.map((o) => ({ ...o, layer: at(o.layer) }))
  }
}

const endsList = (where: string, e: unknown): E.Either<TfError, { list: ReadonlyArray<SymbolicTensor>; keys: ReadonlyArray<string> | undefined; style: 'single' | 'list' | 'record' }> => {
  if (isSymbolic(e)) return E.right({ list: [e], keys: undefined, style: 'single' })
  if (Array.isArray(e) && e.length > 0 && e.every(isSymbolic)) return E.right({ list: e, keys: undefined, style: 'list' })
  if (typeof e === 'object' && e !== null && !Array.isArray(e) && Object.keys(e).length > 0 && Object.values(e).every(isSymbolic))
    return E.right({ list: Object.values(e) as SymbolicTensor[], keys: Object.keys(e), style: 'record' })
  return E.left(
    tfError('InvalidOption', `model: expected ${where} to be a symbolic tensor (from input(...) or call(layer, ...)), a non-empty list or a record of them, received ${show(e)}`, {
      path: where,
      expected: 'SymbolicTensor | SymbolicTensor[] | Record<string, SymbolicTensor>',
      received: e
    })
  )
}

/** Keras's output names: the producing layer's name, made unique as `out`, `out_1`, … */
const uniquify = (names: ReadonlyArray<string>): string[] => {
  const seen = new Set<string>()
  return names.map((n) => {
    const u = C.uniqueName(seen, n)
    seen.add(u)
    return u
  })
}

export const graphOf = (inputsSpec: unknown, outputsSpec: unknown): E.Either<TfError, Graph> => {
  const ins = endsList('inputs', inputsSpec)
  if (E.isLeft(ins)) return ins
  const outs = endsList('outputs', outputsSpec)
  if (E.isLeft(outs)) return outs
  const inputNodes = ins.right.list.map((s) => s.node)
  const notInput = ins.right.list.find((s) => s.node._tag !== 'InputNode')
  if (notInput) return E.left(tfError('InvalidOption', `model: every input must come from input(...); received the output of layer "${(notInput.node as LayerNode).layer.name}"`, { path: 'inputs' }))
  // topological order: depth-first from the outputs, inputs of a node before the node
  const nodes: LayerNode[] = []
  const seen = new Set<LayerNode>()
  const visiting = new Set<LayerNode>()
  const missing: InputNode[] = []
  const visit = (s: SymbolicTensor): void => {
    const n = s.node
    if (n._tag === 'InputNode') {
      if (!inputNodes.includes(n) && !missing.includes(n)) missing.push(n)
      return
    }
    if (seen.has(n) || visiting.has(n)) return
    visiting.add(n)
    n.inputs.forEach(visit)
    visiting.delete(n)
    seen.add(n)
    nodes.push(n)
  }
  outs.right.list.forEach(visit)
  if (missing.length > 0)
    return E.left(
      tfError('DisconnectedGraph', `Graph disconnected: cannot obtain value for input "${missing[0].name}" with shape ${showShapes(missing[0].shape)}: it is not among the model's inputs.`, {
        input: missing[0].name
      })
    )
  // names: inputs first, then layers in order of first use
  const taken = new Set<string>()
  const inputNames: string[] = []
  for (let i = 0; i < inputNodes.length; i++) {
    const n = inputNodes[i] as InputNode
    const base = ins.right.keys && n.autoName ? ins.right.keys[i] : n.name
    if (!n.autoName || ins.right.keys) {
      if (taken.has(base)) return E.left(errors.duplicateLayerName('Functional', base))
      inputNames.push(base)
    } else inputNames.push(C.uniqueName(taken, base))
    taken.add(inputNames[i])
  }
  const named = new Map<AnyLayer, AnyLayer>()
  const owners: Array<{ layer: AnyLayer; inputShape: BatchShape | ReadonlyArray<BatchShape> }> = []
  for (const n of nodes) {
    if (named.has(n.layer)) continue
    const l = n.layer
    if (l.autoName !== true && taken.has(l.name)) return E.left(errors.duplicateLayerName('Functional', l.name))
    const nl = withName(l, l.autoName === true ? C.uniqueName(taken, l.name) : l.name)
    taken.add(nl.name)
    named.set(l, nl)
    owners.push({ layer: nl, inputShape: l.multiInput === true ? n.inputs.map((s) => s.shape) : n.inputs[0].shape })
  }
  const nameOf = (s: SymbolicTensor): string => (s.node._tag === 'InputNode' ? inputNames[inputNodes.indexOf(s.node)] : (named.get(s.node.layer) as AnyLayer).name)
  const layers = [...inputNodes.map((n, i) => inputLayer(inputNames[i], (n as InputNode).shape) as AnyLayer), ...owners.map((o) => o.layer)]
  return E.right({
    inputs: ins.right.list,
    inputNames: ins.right.keys ?? inputNames,
    inputStyle: ins.right.style,
    outputs: outs.right.list,
    outputNames: outs.right.keys ?? uniquify(outs.right.list.map(nameOf)),
    outputStyle: outs.right.style,
    nodes,
    named,
    inputIndex: new Map(inputNodes.map((n, i) => [n as InputNode, i])),
    layers: Object.freeze(layers),
    owners
  })
}

export const initGraph = (g: Graph, root: Key): E.Either<TfError, { params: Record<string, Tree>; state: Record<string, Tree> }> => {
  const params: Record<string, Tree> = {}
  const state: Record<string, Tree> = {}
  for (let i = 0; i < g.owners.length; i++) {
    const { layer, inputShape } = g.owners[i]
    const r = initLayer(layer, foldIn(root, i), inputShape)
    if (E.isLeft(r)) return r
    params[layer.name] = r.right.params
    state[layer.name] = r.right.state
  }
  return E.right({ params: Object.freeze(params), state: Object.freeze(state) })
}

/** The pure forward pass over the graph. */
export const run = (g: Graph, params: { readonly [n: string]: Tree }, state: { readonly [n: string]: Tree }, xs: ReadonlyArray<Tensor>, ctx: Ctx) => {
  const values = new Map<LayerNode, LayerIO>()
  const masks = new Map<LayerNode, OutputMask>()
  const maskOfSym = (s: SymbolicTensor): Tensor | undefined => {
    if (s.node._tag === 'InputNode') return undefined
    const m = masks.get(s.node)
    // a multi-output layer has one mask per output
    return s.index === null ? (Array.isArray(m) ? undefined : (m as Tensor | undefined)) : Array.isArray(m) ? (m as ReadonlyArray<Tensor | undefined>)[s.index] : undefined
  }
  const st: Record<string, Tree> = { ...state }
  const losses: Tensor[] = []
  const valueOf = (s: SymbolicTensor): Tensor => {
    if (s.node._tag === 'InputNode') return xs[g.inputIndex.get(s.node) as number]
    const v = values.get(s.node) as LayerIO
    return s.index === null ? (v as Tensor) : (v as ReadonlyArray<Tensor>)[s.index]
  }
  g.nodes.forEach((n, i) => {
    const l = g.named.get(n.layer) as AnyLayer
    const x = l.multiInput === true ? n.inputs.map(valueOf) : valueOf(n.inputs[0])
    const frozen = ctx.frozen === true || l.trainable === false
    // single-input layers receive the mask of their input, multi-input layers one per input (layers/mask.ts)
    const ms = l.multiInput === true ? n.inputs.map(maskOfSym) : undefined
    const m = ms === undefined ? maskOfSym(n.inputs[0]) : ms[0]
    const base: Ctx = { training: ctx.training, key: foldIn(ctx.key, i), ...(frozen ? { frozen } : {}) }
    const r = l.apply(params[l.name], st[l.name])(x, ms === undefined ? ctxWithMask(base, m) : ctxWithMasks(base, ms))
    values.set(n, r.y)
    masks.set(n, outputMask(l, x, m, ms, r))
    st[l.name] = r.state
    if (r.losses !== undefined) losses.push(...r.losses)
  })
  return { outputs: g.outputs.map(valueOf), state: Object.freeze(st), ...(losses.length > 0 ? { losses } : {}), masks: g.outputs.map(maskOfSym) }
}

/** The config of a functional model (what `model.json` stores). */
export const configOf = (d: { readonly name: string; readonly seed: number; readonly graph: Graph; readonly trainable?: boolean }): Config => {
  const g = d.graph
  // a tensor is ['input', i] or ['node', j, outputIndex]
  const ref = (s: SymbolicTensor): Json => (s.node._tag === 'InputNode' ? ['input', g.inputIndex.get(s.node) as number] : ['node', g.nodes.indexOf(s.node), s.index])
  return Object.freeze({
    name: d.name,
    seed: d.seed,
    inputs: g.inputs.map((s, i) => ({ name: g.layers[i].name, shape: s.shape.slice(1) as Json })),
    layers: g.owners.map((o) => ({ kind: o.layer.kind, config: o.layer.config })),
    nodes: g.nodes.map((n) => ({ layer: (g.named.get(n.layer) as AnyLayer).name, inputs: n.inputs.map(ref) })),
    outputs: g.outputs.map(ref),
    inputStyle: g.inputStyle,
    outputStyle: g.outputStyle,
    inputNames: g.inputNames.slice(),
    outputNames: g.outputNames.slice(),
    ...(d.trainable === false ? { trainable: false } : {})
  })
}

