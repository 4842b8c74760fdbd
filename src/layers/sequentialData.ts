/**
 * The data behind a `Sequential` model and the pure steps on it: adding layers (naming and
 * initialising them, layer `i` with `foldIn(root, i)`), popping, building for an input shape, applying
 * the stack with its mask, and the config. `sequential.ts` wraps this data in the model value and gives
 * it the functional and notebook surfaces.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { type Key, key, foldIn } from '../core/Key.js'
import { tfError, type TfError, show } from '../core/errors.js'
import type { Ctx } from './Model.js'
import { type AnyLayer, type BatchShape, type Config, type Json, type Applied, isLayer, errors, withName, shapeFits, isBatchShape, showShapes, initLayer } from './Layer.js'
import { isSymbolic } from './symbolic.js'
import * as C from './common.js'
import { outputMask, ctxWithMask } from './mask.js'

export interface BuiltData {
  readonly params: ReadonlyArray<Tree>
  readonly state: ReadonlyArray<Tree>
  /** output shape of each layer */
  readonly shapes: ReadonlyArray<BatchShape>
}
export interface Data {
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
  const r = initLayer(layer, k, shape)
  if (E.isLeft(r)) return r
  if (!isBatchShape(r.right.outputShape)) return E.left(errors.multiOutputLayer(layer.name))
  return E.right({ params: r.right.params, state: r.right.state, shape: r.right.outputShape })
}

/** Initialise layers `from..` on top of `prev`, layer `i` with `foldIn(root, i)`. */
export const initFrom = (layers: ReadonlyArray<AnyLayer>, root: Key, input: BatchShape, prev: BuiltData, from: number): E.Either<TfError, BuiltData> => {
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

export const emptyBuilt: BuiltData = Object.freeze({ params: Object.freeze([]), state: Object.freeze([]), shapes: Object.freeze([]) })

export const addData = (d: Data, item: unknown): E.Either<TfError, Data> => {
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
export const addAllData = (d0: Data, items: ReadonlyArray<unknown>): E.Either<TfError, Data> => {
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

export const popData = (d: Data): E.Either<TfError, Data> => {
  if (d.layers.length === 0) return E.left(errors.emptyModel(d.name))
  const n = d.layers.length - 1
  // Keras's `pop()` of the only layer forgets the input too: `built` is false, `inputs`/`outputs` None
  if (n === 0) return E.right({ ...d, layers: Object.freeze([]), input: undefined, built: undefined })
  const built = d.built && { params: d.built.params.slice(0, n), state: d.built.state.slice(0, n), shapes: d.built.shapes.slice(0, n) }
  return E.right({ ...d, layers: d.layers.slice(0, n), built })
}

export const buildData = (d: Data, shape?: unknown): E.Either<TfError, Data> => {
  if (shape === undefined || shape === null) return d.built ? E.right(d) : E.left(errors.missingInputShape(d.name))
  if (!isBatchShape(shape) || shape.length === 0)
    return E.left(tfError('InvalidShape', `build: expected a batch input shape such as [null, 16], received ${show(shape)}`, { model: d.name, expected: 'batch shape', received: shape }))
  const s: BatchShape = Object.freeze([null, ...shape.slice(1)])
  if (d.input !== undefined && !shapeFits(d.input.shape, s)) return E.left(errors.incompatible(d.name, d.input.shape, s))
  if (d.built) return E.right(d)
  return E.map((built: BuiltData) => ({ ...d, input: { shape: s, name: d.input?.name }, built }))(initFrom(d.layers, key(d.seed), s, emptyBuilt, 0))
}

export const applyLayers =
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

export const configOf = (d: Data): Config => {
  const c: Record<string, Json> = {
    name: d.name,
    seed: d.seed,
    layers: d.layers.map((l) => ({ kind: l.kind, config: l.config }))
  }
  if (d.input) c.inputShape = d.input.shape.slice(1) as Json
  if (d.trainable === false) c.trainable = false
  return Object.freeze(c)
}
