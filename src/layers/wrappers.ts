/**
 * Layer wrappers: `bidirectional(layer, {mergeMode})` runs a recurrent layer forwards and a copy of it
 * backwards and merges the two; `timeDistributed(layer)` applies a layer to every time step.
 *
 * Keras 2.15 semantics and weight names (`bidirectional/forward_lstm/kernel`, …), so files interoperate.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { split } from '../core/Key.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { add, mul, concat, reshape, gather } from '../primitives/index.js'
import { tensor } from '../core/Tensor.js'
import { type Layer, type AnyLayer, type BaseOptions, type Empty, type BatchShape, type LayerIO, type Json, type Config, makeLayer, shapeErr, showShape, isLayer, checkOptions } from './Layer.js'
import { recurrentBuilders, frozenIf } from './configs.js'
import { withMask } from './mask.js'
import type { Ctx } from './Model.js'

/** How `bidirectional` merges the two directions (`null`: return both, as a list). */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null

/** Options of {@link bidirectional}. */
export interface BidirectionalOptions extends BaseOptions {
  /** Keras default `'concat'` */
  readonly mergeMode?: MergeMode
}

const reverseTime = (x: Tensor): Tensor => {
  const T = x.shape[1]
  return gather(x, tensor(Array.from({ length: T }, (_, i) => T - 1 - i), [T], 'int32'), 1)
}

const isRecurrent = (l: AnyLayer): l is AnyLayer & { readonly kind: keyof typeof recurrentBuilders } => Object.prototype.hasOwnProperty.call(recurrentBuilders, l.kind)

/** The same recurrent layer, rebuilt with another name and `goBackwards` flipped. */
const mirror = (l: AnyLayer, prefix: string, flip: boolean): AnyLayer => {
  const c = { ...l.config, name: `${prefix}_${l.name}`, goBackwards: flip ? l.config.goBackwards !== true : l.config.goBackwards === true }
  delete (c as Record<string, Json | undefined>).inputShape
  const { trainable: _t, ...rest } = c as Config
  return frozenIf(c, recurrentBuilders[l.kind as keyof typeof recurrentBuilders](rest))
}

/** `bidirectional` as `Either` (the wrapped layer must be a recurrent layer). */
export const bidirectionalE = (layer: AnyLayer, opts: BidirectionalOptions = {}): E.Either<TfError, Layer<Tree, Empty, Tensor, LayerIO>> => {
  const known = checkOptions('bidirectional', opts, ['mergeMode'])
  if (E.isLeft(known)) return known
  if (!isLayer(layer) || !isRecurrent(layer))
    return E.left(tfError('InvalidOption', `bidirectional: expected a recurrent layer (simpleRNN, lstm, gru), received ${show(isLayer(layer) ? layer.kind : layer)}`, { path: 'layer', expected: 'SimpleRNN | LSTM | GRU', received: isLayer(layer) ? layer.kind : layer }))
  const mergeMode = opts.mergeMode === undefined ? 'concat' : opts.mergeMode
  if (!['concat', 'sum', 'mul', 'ave', null].includes(mergeMode))
    return E.left(tfError('InvalidOption', `bidirectional: mergeMode must be 'concat', 'sum', 'mul', 'ave' or null, received ${show(mergeMode)}`, { path: 'mergeMode', expected: ['concat', 'sum', 'mul', 'ave', null], received: mergeMode }))
  const fw = mirror(layer, 'forward', false)
  const bw = mirror(layer, 'backward', true)
  const fk = fw.name
  const bk = bw.name
  const returnSequences = layer.config.returnSequences === true
  const returnState = layer.config.returnState === true
  const merge = (a: Tensor, b: Tensor): Tensor =>
    mergeMode === 'concat' ? concat([a, b], a.shape.length - 1) : mergeMode === 'sum' ? add(a, b) : mergeMode === 'mul' ? mul(a, b) : mul(add(a, b), 0.5)
  const l = makeLayer<Tree, Empty, Tensor, LayerIO>(
    'Bidirectional',
    { layer: { kind: layer.kind, config: { ...layer.config, name: layer.name } } as unknown as Json, mergeMode },
    opts,
    (key, shape) => {
      const [k1, k2] = split(key, 2)
      const a = fw.init(k1, shape)
      if (E.isLeft(a)) return a
      const b = bw.init(k2, shape)
      if (E.isLeft(b)) return b
      const os = a.right.outputShape as BatchShape | ReadonlyArray<BatchShape>
      const first = (returnState ? (os as ReadonlyArray<BatchShape>)[0] : os) as BatchShape
      const merged: BatchShape = mergeMode === 'concat' ? [...first.slice(0, -1), 2 * (first[first.length - 1] as number)] : first
      const states = returnState ? (os as ReadonlyArray<BatchShape>).slice(1) : []
      const outs = mergeMode === null ? [first, first, ...states, ...states] : [merged, ...states, ...states]
      const outputShape = (outs.length === 1 ? merged : Object.freeze(outs)) as BatchShape
      return E.right({ params: Object.freeze({ [fk]: a.right.params, [bk]: b.right.params }), state: {} as Empty, outputShape })
    },
    (p) => (x, ctx) => {
      const [k1, k2] = split(ctx.key, 2)
      const sub = (k: typeof k1): Ctx => ({ ...ctx, key: k })
      const a = fw.apply((p as Record<string, Tree>)[fk], {} as Empty)(x, sub(k1)).y
      const b = bw.apply((p as Record<string, Tree>)[bk], {} as Empty)(x, sub(k2)).y
      const [ya, ...sa] = returnState ? (a as ReadonlyArray<Tensor>) : [a as Tensor]
      const [yb0, ...sb] = returnState ? (b as ReadonlyArray<Tensor>) : [b as Tensor]
      // the backward layer's sequence comes out last step first: put it back in time order
      const yb = returnSequences ? reverseTime(yb0) : yb0
      const ys = mergeMode === null ? [ya, yb] : [merge(ya, yb)]
      const all = [...ys, ...sa, ...sb]
      return { y: all.length === 1 ? all[0] : all, state: {} as Empty }
    },
    mergeMode === null || returnState ? { multiOutput: true } : {}
  )
  // Keras's Bidirectional.compute_mask: the input mask for each sequence output, none for the states
  const nStates = returnState ? ((layer.kind === 'LSTM' ? 2 : 1) as number) : 0
  const outMasks = (_x: Tensor, m: Tensor | undefined): Tensor | undefined | ReadonlyArray<Tensor | undefined> => {
    const out = returnSequences ? m : undefined
    const ys = mergeMode === null ? [out, out] : [out]
    const all = [...ys, ...Array.from({ length: 2 * nStates }, () => undefined)]
    return all.length === 1 ? all[0] : all
  }
  return E.right(withMask(l, returnSequences || mergeMode === null || returnState ? outMasks : undefined))
}
/**
 * Runs a recurrent layer over the sequence in both directions and merges the outputs (`'concat'` by
 * default). @example bidirectional(lstm(32, { returnSequences: true }))
 */
export const bidirectional = (layer: AnyLayer, opts: BidirectionalOptions = {}): Layer<Tree, Empty, Tensor, Tensor> => orThrow(bidirectionalE(layer, opts)) as never

/** `timeDistributed` as `Either` (the wrapped layer takes one tensor and returns one). */
export const timeDistributedE = (layer: AnyLayer, opts: BaseOptions = {}): E.Either<TfError, Layer<Tree, Tree, Tensor, Tensor>> => {
  const known = checkOptions('timeDistributed', opts, [])
  if (E.isLeft(known)) return known
  if (!isLayer(layer) || layer.multiInput === true || layer.multiOutput === true)
    return E.left(tfError('InvalidOption', `timeDistributed: expected a single-input, single-output layer, received ${show(isLayer(layer) ? layer.kind : layer)}`, { path: 'layer', expected: 'a layer', received: layer }))
  const l = makeLayer<Tree, Tree, Tensor, Tensor>(
    'TimeDistributed',
    { layer: { kind: layer.kind, config: { ...layer.config, name: layer.name } } as unknown as Json },
    opts,
    (key, shape) => {
      if (shape.length < 3) return shapeErr('timeDistributed', `expected an input of rank ≥ 3 [batch, time, …], received ${showShape(shape)}`, 'rank >= 3', shape)
      const r = layer.init(key, [null, ...shape.slice(2)] as BatchShape)
      if (E.isLeft(r)) return r
      const o = r.right.outputShape as BatchShape
      return E.right({ params: r.right.params, state: r.right.state, outputShape: Object.freeze([shape[0], shape[1], ...o.slice(1)]) })
    },
    (p, s) => (x, ctx) => {
      const [B, T] = x.shape
      // every step through the layer at once: fold time into the batch axis
      const r = layer.apply(p, s)(reshape(x, [B * T, ...x.shape.slice(2)]), { training: ctx.training, key: ctx.key })
      const y = r.y as Tensor
      return { y: reshape(y, [B, T, ...y.shape.slice(1)]), state: r.state }
    }
  )
  return E.right(withMask(l, (_x: Tensor, m: Tensor | undefined) => m))
}
/** Applies a layer to every time step of `[batch, time, …]`. @example timeDistributed(dense(8)) */
export const timeDistributed = (layer: AnyLayer, opts: BaseOptions = {}): Layer<Tree, Tree, Tensor, Tensor> => orThrow(timeDistributedE(layer, opts))

