/**
 * Multi-head attention, Keras 2.15's `MultiHeadAttention` ("Attention is all you need"): project the
 * query, key and value into `numHeads` heads, scaled dot-product attention per head over the
 * attention axes, and an output projection.
 *
 * Called on `[query, value]`, `[query, value, key]` or `[query, value, key, attentionMask]` (`key`
 * defaults to `value`; to give a mask without a key, pass the value twice). Query `[batch, T, dim]`
 * (or more axes: `attentionAxes` says which ones attend, default every axis but batch and features).
 *
 * Keras's weight layout and names, so files interoperate: `query/kernel [dim, heads, keyDim]`,
 * `query/bias [heads, keyDim]`, the same for `key`, `value/kernel [dim, heads, valueDim]`,
 * `attention_output/kernel [heads, valueDim, …outputShape]`, `attention_output/bias [...outputShape]`.
 *
 * Masks as Keras's `_compute_attention_mask`: the query's mask `[b, T, 1]`, the value's `[b, 1, S]`, the
 * key's (when a key is given) and the causal mask `[1, T, S]` are multiplied with `attentionMask`
 * (`[b, T, S]`, 1 = attend); a masked score gets −1e9 before the softmax. The output carries the query's
 * mask. The returned scores are taken before dropout (Keras).
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Tensor } from '../core/Tensor.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { split } from '../core/Key.js'
import { matmul, add, mul, reshape, transpose, broadcastTo, compare, cast } from '../primitives/index.js'
import { type Layer, type BaseOptions, type Empty, type BatchShape, makeLayer, shapeErr, showShapes, checkOptions } from './Layer.js'
import type { Ctx } from './Model.js'
import { masksOf } from './mask.js'
import * as I from './initializers.js'
import { weightOptions, type RegularizerLike, type KernelWeightOptions, type Regularizer, type WeightOptions } from './weights.js'
import { invalidOption, isRate, maskScores, causalMask, andMask, dropWeights, queryMask, softmaxLast, type AttentionOutput } from './attention.js'

const none: Empty = Object.freeze({})

/** Options of {@link multiHeadAttention}: Keras's arguments in camelCase, and its two call flags. */
export interface MultiHeadAttentionOptions extends BaseOptions, KernelWeightOptions {
  /** size of each head of the value (default `keyDim`) */
  readonly valueDim?: number
  /** dropout rate of the attention probabilities while training (default 0) */
  readonly dropout?: number
  readonly useBias?: boolean
  /** the output's feature shape (default the query's last axis) */
  readonly outputShape?: number | ReadonlyArray<number> | null
  /** the query axes that attend (default every axis but batch and features); negative axes count from the query's rank */
  readonly attentionAxes?: number | ReadonlyArray<number> | null
  readonly kernelInitializer?: I.InitializerLike
  readonly biasInitializer?: I.InitializerLike
  /** a penalty on the outputs of the four projections (Keras passes it to each of them) */
  readonly activityRegularizer?: RegularizerLike
  /** Keras's call argument `use_causal_mask`: query step i attends only to steps j ≤ i */
  readonly useCausalMask?: boolean
  /** Keras's call argument `return_attention_scores`: return `[output, scores]` (scores `[batch, heads, T, S]`) */
  readonly returnAttentionScores?: boolean
}

/** One projection's weights. */
export type Projection = { readonly kernel: Tensor; readonly bias?: Tensor }
/** Params of a multi-head attention layer, in Keras's weight order. */
export type MultiHeadAttentionParams = { readonly query: Projection; readonly key: Projection; readonly value: Projection; readonly attention_output: Projection }

/** A multi-head attention layer: `[query, value, key?, attentionMask?]` in; the output (or `[output, scores]`) out. */
export type MultiHeadAttentionLayer<Y extends Tensor | ReadonlyArray<Tensor> = Tensor> = Layer<MultiHeadAttentionParams, Empty, ReadonlyArray<Tensor>, Y>

const KEYS = ['valueDim', 'dropout', 'useBias', 'outputShape', 'attentionAxes', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer',
  'activityRegularizer', 'kernelConstraint', 'biasConstraint', 'useCausalMask', 'returnAttentionScores']
const SUBLAYERS = ['query', 'key', 'value', 'attention_output'] as const

const posInt = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0
const prod = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a * b, 1)
const ints = (u: number | ReadonlyArray<number>): ReadonlyArray<number> => (typeof u === 'number' ? [u] : u)

/** The geometry of one call: projected rank, attention axes, the permutation that puts them last. */
interface Geometry {
  /** rank of the query input */
  readonly rank: number
  /** attention axes in the projected query `[b, …, heads, keyDim]` */
  readonly axes: ReadonlyArray<number>
  /** the other axes of the projected query but the channels (batch, non-attention axes, heads) */
  readonly batchAxes: ReadonlyArray<number>
}

const geometry = (rank: number, axes: ReadonlyArray<number> | null): E.Either<TfError, Geometry> => {
  const r = rank + 1 // projected: [b, …, heads, channels]
  const raw = axes ?? Array.from({ length: rank - 2 }, (_, i) => i + 1)
  const norm = raw.map((a) => (a < 0 ? a + rank : a))
  if (norm.length === 0 || norm.some((a) => !Number.isInteger(a) || a < 1 || a > rank - 2) || new Set(norm).size !== norm.length)
    return invalidOption('multiHeadAttention.attentionAxes', `distinct axes of the query other than batch and features (1..${rank - 2})`, axes)
  const sorted = [...norm].sort((a, b) => a - b)
  const batchAxes = Array.from({ length: r - 1 }, (_, i) => i).filter((i) => !sorted.includes(i))
  return E.right({ rank, axes: sorted, batchAxes })
}

/** `x [..., d] · kernel [d, ...out] + bias [...out]`. */
const project = (x: Tensor, p: Projection, lead: number): Tensor => {
  const out = p.kernel.shape.slice(lead)
  const inSize = prod(p.kernel.shape.slice(0, lead))
  const keep = x.shape.slice(0, x.shape.length - lead)
  const y = reshape(matmul(reshape(x, [-1, inSize]), reshape(p.kernel, [inSize, prod(out)])), [...keep, ...out])
  return p.bias === undefined ? y : add(y, p.bias)
}

/** `[b, …, heads, c]` -> `[n, T, c]`: batch axes (heads included) first, then the attention axes. */
const gatherAxes = (x: Tensor, g: Geometry): { readonly t: Tensor; readonly batch: ReadonlyArray<number>; readonly attn: ReadonlyArray<number> } => {
  const r = x.shape.length
  const perm = [...g.batchAxes, ...g.axes, r - 1]
  const batch = g.batchAxes.map((a) => x.shape[a])
  const attn = g.axes.map((a) => x.shape[a])
  return { t: reshape(transpose(x, perm), [prod(batch), prod(attn), x.shape[r - 1]]), batch, attn }
}

/** The attention mask: Keras's `_compute_attention_mask`, as 0/1 floats (undefined: none). */
const attentionMaskOf = (ctx: Ctx, xs: ReadonlyArray<Tensor>, causal: boolean): Tensor | undefined => {
  const masks = masksOf(ctx)
  const [q, v] = xs
  const qm = masks?.[0]
  const vm = masks?.[1]
  // Keras reads the key's mask only when a key is passed
  const km = xs.length > 2 ? masks?.[2] : undefined
  let auto: Tensor | undefined = qm === undefined ? undefined : reshape(qm, [...qm.shape, 1])
  auto = andMask(auto, vm === undefined ? undefined : reshape(vm, [vm.shape[0], 1, ...vm.shape.slice(1)]))
  auto = andMask(auto, km === undefined ? undefined : reshape(km, [km.shape[0], 1, ...km.shape.slice(1)]))
  if (causal) auto = andMask(auto, causalMask(q.shape[1], v.shape[1]))
  // Keras casts the attention mask to bool: any non-zero value attends
  const given = xs[3] === undefined ? undefined : cast(compare(xs[3], 0, 'ne'), 'float32')
  return andMask(given, auto)
}

/** A mask shape expanded as Keras's `_masked_softmax`: new axes of 1 before the `2·nAxes` attention axes, up to `rank`. */
const expandShape = <D extends number | null>(s0: ReadonlyArray<D>, rank: number, nAxes: number): ReadonlyArray<D | 1> => {
  let s: ReadonlyArray<D | 1> = s0
  while (s.length < rank) {
    const at = Math.max(0, s.length - 2 * nAxes)
    s = [...s.slice(0, at), 1, ...s.slice(at)]
  }
  return s
}

/** The mask expanded as Keras's `_masked_softmax`, broadcast to the scores. */
const expandMask = (m: Tensor, scoreShape: ReadonlyArray<number>, nAxes: number): Tensor => broadcastTo(reshape(m, expandShape(m.shape, scoreShape.length, nAxes) as number[]), scoreShape)

/** `multiHeadAttention` as `Either`. */
export const multiHeadAttentionE = <O extends MultiHeadAttentionOptions = {}>(
  numHeads: number,
  keyDim: number,
  opts: O = {} as O
): E.Either<TfError, MultiHeadAttentionLayer<AttentionOutput<O>>> =>
  pipe(
    checkOptions('multiHeadAttention', opts, KEYS),
    E.chain(() => weightOptions('multiHeadAttention', opts, { kernel: 'kernel', bias: 'bias' })),
    E.bindTo('w'),
    E.bind('ki', () => I.resolve('multiHeadAttention.kernelInitializer', opts.kernelInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve('multiHeadAttention.biasInitializer', opts.biasInitializer, I.zeros)),
    E.chain((r) => {
      if (!posInt(numHeads)) return invalidOption('multiHeadAttention.numHeads', 'a positive integer', numHeads)
      if (!posInt(keyDim)) return invalidOption('multiHeadAttention.keyDim', 'a positive integer', keyDim)
      const valueDim = opts.valueDim ?? keyDim
      if (!posInt(valueDim)) return invalidOption('multiHeadAttention.valueDim', 'a positive integer', opts.valueDim)
      const rate = opts.dropout ?? 0
      if (!isRate(rate)) return invalidOption('multiHeadAttention.dropout', 'a rate in [0, 1)', opts.dropout)
      const os = opts.outputShape ?? null
      if (os !== null && !(posInt(os) || (Array.isArray(os) && os.length > 0 && os.every(posInt)))) return invalidOption('multiHeadAttention.outputShape', 'a positive integer or a list of them', os)
      const ax = opts.attentionAxes ?? null
      if (ax !== null && !(Number.isInteger(ax) || (Array.isArray(ax) && ax.length > 0 && ax.every((a) => Number.isInteger(a))))) return invalidOption('multiHeadAttention.attentionAxes', 'an axis or a list of axes', ax)
      for (const k of ['useBias', 'useCausalMask', 'returnAttentionScores'] as const) if (opts[k] !== undefined && typeof opts[k] !== 'boolean') return invalidOption(`multiHeadAttention.${k}`, 'a boolean', opts[k])
      const axes = ax === null ? null : ints(ax as number | ReadonlyArray<number>)
      return E.right(build(numHeads, keyDim, valueDim, rate, os === null ? null : ints(os as number | ReadonlyArray<number>), axes, opts, r) as unknown as MultiHeadAttentionLayer<AttentionOutput<O>>)
    })
  )

const build = (
  H: number,
  K: number,
  V: number,
  rate: number,
  outShape: ReadonlyArray<number> | null,
  axes: ReadonlyArray<number> | null,
  opts: MultiHeadAttentionOptions,
  r: { readonly w: WeightOptions; readonly ki: I.Initializer; readonly bi: I.Initializer }
): MultiHeadAttentionLayer<Tensor | ReadonlyArray<Tensor>> => {
  const useBias = opts.useBias ?? true
  const causal = opts.useCausalMask === true
  const scores = opts.returnAttentionScores === true
  // Keras gives every projection the layer's regularizers and constraints
  const perParam = <A>(x: { readonly [k: string]: A }): { readonly [k: string]: A } =>
    Object.fromEntries(SUBLAYERS.flatMap((s) => Object.entries(x).map(([k, v]) => [`${s}/${k}`, v])))
  const activity: Regularizer | undefined = r.w.activityRegularizer
  const init = (key: Parameters<Layer['init']>[0], shapes: ReadonlyArray<BatchShape>) => {
    if (!Array.isArray(shapes) || shapes.length < 2 || shapes.length > 4 || !shapes.every((s) => Array.isArray(s)))
      return E.left(
        tfError('IncompatibleInputShape', `multiHeadAttention: must be called on [query, value], [query, value, key] or [query, value, key, attentionMask], received ${show(shapes)}`, {
          expected: '[query, value, key?, attentionMask?]',
          received: shapes
        })
      )
    const [q, v] = shapes
    const k = shapes[2] ?? v
    const R = q.length
    if (R < 3 || v.length !== R || k.length !== R) return shapeErr('multiHeadAttention', `expected query, value and key of the same rank ≥ 3, received ${showShapes(shapes)}`, '[batch, T, dim]', shapes)
    const dims = [q, v, k].map((s) => s[s.length - 1])
    if (dims.some((d) => d === null)) return shapeErr('multiHeadAttention', `expected known feature sizes, received ${showShapes(shapes)}`, 'known last axes', shapes)
    const g = geometry(R, axes)
    if (E.isLeft(g)) return g
    // the non-attention axes are batch axes: query, key and value must agree on them; key and value on the attention axes
    for (const a of g.right.batchAxes.filter((i) => i > 0 && i < R - 1))
      if ([v[a], k[a]].some((d) => d !== null && q[a] !== null && d !== q[a])) return shapeErr('multiHeadAttention', `query, value and key differ on axis ${a}, which does not attend: ${showShapes(shapes)}`, q, shapes)
    for (const a of g.right.axes) if (v[a] !== null && k[a] !== null && v[a] !== k[a]) return shapeErr('multiHeadAttention', `value and key must have the same attention axes, received ${showShapes(shapes)}`, v, k)
    const out = outShape ?? [dims[0] as number]
    const ks = split(key, 8)
    const proj = (i: number, kernel: ReadonlyArray<number>, bias: ReadonlyArray<number>): Projection =>
      Object.freeze({ kernel: r.ki.init(ks[2 * i], kernel), ...(useBias ? { bias: r.bi.init(ks[2 * i + 1], bias) } : {}) })
    const params: MultiHeadAttentionParams = Object.freeze({
      query: proj(0, [dims[0] as number, H, K], [H, K]),
      key: proj(1, [dims[2] as number, H, K], [H, K]),
      value: proj(2, [dims[1] as number, H, V], [H, V]),
      attention_output: proj(3, [H, V, ...out], out)
    })
    const y: BatchShape = Object.freeze([...q.slice(0, -1), ...out])
    const scoreShape: BatchShape = Object.freeze([q[0], ...g.right.batchAxes.slice(1).map((a) => (a === R - 1 ? H : q[a])), ...g.right.axes.map((a) => q[a]), ...g.right.axes.map((a) => v[a])])
    const m = shapes[3]
    if (m !== undefined) {
      const e = expandShape(m, scoreShape.length, g.right.axes.length)
      if (e.length !== scoreShape.length || e.some((d, i) => d !== null && d !== 1 && scoreShape[i] !== null && d !== scoreShape[i]))
        return shapeErr('multiHeadAttention', `the attention mask ${showShapes(m)} does not broadcast to the scores ${showShapes(scoreShape)} (expected [batch, T, S])`, '[batch, T, S]', m)
    }
    return E.right({ params, state: none, outputShape: scores ? Object.freeze([y, scoreShape]) : y })
  }
  const apply = (p: MultiHeadAttentionParams) => (xs: ReadonlyArray<Tensor>, ctx: Ctx) => {
    const [q, v] = xs
    const k = xs[2] ?? v
    const g = orThrow(geometry(q.shape.length, axes))
    const qRaw = project(q, p.query, 1)
    const qp = mul(qRaw, 1 / Math.sqrt(K))
    const kp = project(k, p.key, 1)
    const vp = project(v, p.value, 1)
    const Q = gatherAxes(qp, g)
    const Kt = gatherAxes(kp, g)
    const Vt = gatherAxes(vp, g)
    const full = [...Q.batch, ...Q.attn, ...Kt.attn]
    const mask = attentionMaskOf(ctx, xs, causal)
    const raw = matmul(Q.t, Kt.t, { transposeB: true })
    const masked = mask === undefined ? raw : maskScores(raw, reshape(expandMask(mask, full, g.axes.length), raw.shape))
    const probs = softmaxLast(masked)
    const ctxv = matmul(dropWeights(probs, rate, ctx.training, ctx.key), Vt.t)
    // back to the projected query's layout [b, …, heads, valueDim]
    const perm = [...g.batchAxes, ...g.axes, q.shape.length]
    const inv = perm.map((_, i) => perm.indexOf(i))
    const att = transpose(reshape(ctxv, [...Q.batch, ...Q.attn, V]), inv)
    const y = project(att, p.attention_output, 2)
    const losses = activity === undefined ? undefined : [qRaw, kp, vp, y].map((t) => activity.activity(t))
    return { y: scores ? Object.freeze([y, reshape(probs, full)]) : y, state: none, ...(losses ? { losses } : {}) }
  }
  const { activityRegularizer: _a, ...w } = r.w
  const layer = makeLayer<MultiHeadAttentionParams, Empty, ReadonlyArray<Tensor>, Tensor | ReadonlyArray<Tensor>>(
    'MultiHeadAttention',
    {
      numHeads: H,
      keyDim: K,
      valueDim: V,
      dropout: rate,
      useBias,
      outputShape: outShape === null ? null : outShape.length === 1 && typeof opts.outputShape === 'number' ? outShape[0] : [...outShape],
      attentionAxes: axes === null ? null : [...axes],
      kernelInitializer: I.toJson(r.ki),
      biasInitializer: I.toJson(r.bi),
      ...r.w.config,
      useCausalMask: causal || undefined,
      returnAttentionScores: scores || undefined
    },
    opts,
    init as never,
    (p) => apply(p),
    { multiInput: true, multiOutput: scores, regularizers: perParam(w.regularizers), constraints: perParam(w.constraints) }
  )
  return Object.freeze({ ...layer, computeMask: queryMask }) as MultiHeadAttentionLayer<Tensor | ReadonlyArray<Tensor>>
}

/**
 * Multi-head attention (Keras 2.15's `MultiHeadAttention`): `numHeads` heads of size `keyDim` over
 * `[query, value, key?, attentionMask?]`. @example
 * const x = input({ shape: [10, 32] })
 * const y = call(layers.multiHeadAttention(4, 8, { useCausalMask: true }), [x, x])
 */
export const multiHeadAttention = <O extends MultiHeadAttentionOptions = {}>(numHeads: number, keyDim: number, opts: O = {} as O): MultiHeadAttentionLayer<AttentionOutput<O>> =>
  orThrow(multiHeadAttentionE(numHeads, keyDim, opts))
