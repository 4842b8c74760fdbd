/**
 * Dot-product and additive attention: Keras 2.15's `Attention` (Luong) and `AdditiveAttention`
 * (Bahdanau), and the pieces every attention layer shares (masked softmax, causal mask, dropout of the
 * attention weights). `multiHeadAttention` lives in `attentionMultiHead.ts`.
 *
 * Called on `[query, value]` or `[query, value, key]` (`key` defaults to `value`): query `[batch, Tq,
 * dim]`, value `[batch, Tv, dim]`; the output is `[batch, Tq, valueDim]`. Masks (from
 * `embedding({maskZero})` or `masking`) arrive per input: the value's mask keeps padded steps out of the
 * softmax, the query's mask zeroes padded output rows and is the output's mask (Keras). Keras's call
 * arguments `use_causal_mask` and `return_attention_scores` are constructor options here (a layer is a
 * value); `returnAttentionScores` makes the layer return `[output, scores]`.
 *
 * Keras's numbers: a masked score gets `−1e9` added before the softmax; the scores returned are the
 * weights after the softmax and after dropout (as Keras's `_apply_scores`).
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Tensor, tensor } from '../core/Tensor.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { randomUniform as rUniform } from '../core/random.js'
import type { Key } from '../core/Key.js'
import { matmul, add, mul, div, exp, max, compare, reshape, sum, tanh } from '../primitives/index.js'
import { sub } from '../ops/arithmetic.js'
import { type Layer, type BaseOptions, type Empty, type BatchShape, makeLayer, shapeErr, showShapes, checkOptions } from './Layer.js'
import type { Ctx } from './Model.js'
import type { Tree } from '../core/Tree.js'
import { masksOf } from './mask.js'
import * as I from './initializers.js'

const none: Empty = Object.freeze({})

/** The value Keras adds to a masked attention score before the softmax (float32). */
export const MASKED_SCORE = -1e9

/** @internal A `Left` for a bad option. */
export const invalidOption = (where: string, expected: string, received: unknown): E.Either<TfError, never> =>
  E.left(tfError('InvalidOption', `${where}: expected ${expected}, received ${show(received)}`, { path: where, expected, received }))

/** @internal Whether a value is a dropout rate in [0, 1). */
export const isRate = (u: unknown): u is number => typeof u === 'number' && u >= 0 && u < 1

/** @internal `scores + (1 − mask)·(−1e9)`: masked positions (mask 0) drop out of the softmax. */
export const maskScores = (scores: Tensor, mask: Tensor | undefined): Tensor =>
  mask === undefined ? scores : add(scores, mul(add(mul(mask, -1), 1), MASKED_SCORE))

/** @internal The lower-triangular causal mask `[1, Tq, Tv]`: query step i sees value steps j ≤ i (Keras's `band_part(−1, 0)`). */
export const causalMask = (tq: number, tv: number): Tensor => {
  const m = new Float32Array(tq * tv)
  for (let i = 0; i < tq; i++) for (let j = 0; j <= i && j < tv; j++) m[i * tv + j] = 1
  return tensor(m, [1, tq, tv])
}

/** @internal The product of two masks that may be absent (Keras's `&` of boolean masks). */
export const andMask = (a: Tensor | undefined, b: Tensor | undefined): Tensor | undefined => (a === undefined ? b : b === undefined ? a : mul(a, b))

/**
 * @internal The softmax over the last axis as TensorFlow computes it, `exp(x − max) / Σ exp(x − max)`:
 * exact for masked rows (every score near −1e9), where `exp(x − logsumexp(x))` rounds to 1 in float32.
 */
export const softmaxLast = (x: Tensor): Tensor => {
  const e = exp(sub(x, max(x, -1, true)))
  return div(e, sum(e, -1, true))
}

/** @internal Inverted dropout of attention weights while training (keep with probability 1 − rate, scale by 1 / (1 − rate)). */
export const dropWeights = (w: Tensor, rate: number, training: boolean, key: Key): Tensor =>
  !training || rate === 0 ? w : mul(w, mul(compare(rUniform(key, w.shape), rate, 'ge'), 1 / (1 - rate)))

// ---------------------------------------------------------------------------------------------------
// the shared frame of Attention and AdditiveAttention (Keras's BaseDenseAttention)

/** Options shared by {@link attention} and {@link additiveAttention}. */
export interface DenseAttentionOptions extends BaseOptions {
  /** dropout rate of the attention weights while training (default 0) */
  readonly dropout?: number
  /** Keras's call argument `use_causal_mask`: query step i attends only to value steps j ≤ i */
  readonly useCausalMask?: boolean
  /** Keras's call argument `return_attention_scores`: return `[output, scores]` (scores `[batch, Tq, Tv]`) */
  readonly returnAttentionScores?: boolean
}

/** Options of {@link attention}. */
export interface AttentionOptions extends DenseAttentionOptions {
  /** a learned scalar `scale` multiplies the scores (default false) */
  readonly useScale?: boolean
  /** `'dot'` (default): `q·kᵀ`; `'concat'`: `Σ tanh(q + k)`, times a learned scalar */
  readonly scoreMode?: 'dot' | 'concat'
}

/** Options of {@link additiveAttention}. */
export interface AdditiveAttentionOptions extends DenseAttentionOptions {
  /** a learned vector `scale` `[dim]` weighs the `tanh(q + k)` terms (default true) */
  readonly useScale?: boolean
}

/** Params of `attention`: `scale` (with `useScale`) and `concat_score_weight` (with `scoreMode: 'concat'`), scalars. */
export type AttentionParams = { readonly scale?: Tensor; readonly concat_score_weight?: Tensor }
/** Params of `additiveAttention`: `scale` `[dim]` (with `useScale`). */
export type AdditiveAttentionParams = { readonly scale?: Tensor }

/** An attention layer: `[query, value]` or `[query, value, key]` in; the output (`Y = Tensor`), or `[output, scores]` with `returnAttentionScores`. */
export type AttentionLayer<P extends Tree, Y extends Tensor | ReadonlyArray<Tensor> = Tensor> = Layer<P, Empty, ReadonlyArray<Tensor>, Y>

/** What a constructor returns for its options: `[output, scores]` with `returnAttentionScores: true`, else the output. */
export type AttentionOutput<O> = O extends { readonly returnAttentionScores: true } ? ReadonlyArray<Tensor> : Tensor

/** @internal Check `[query, value, key?]` shapes: rank ≥ 3, equal batch axes, `Tv` of value and key equal. */
export const denseShapes = (
  where: string,
  shapes: ReadonlyArray<BatchShape>
): E.Either<TfError, { readonly q: BatchShape; readonly v: BatchShape; readonly k: BatchShape }> => {
  if (!Array.isArray(shapes) || shapes.length < 2 || shapes.length > 3 || !shapes.every((s) => Array.isArray(s)))
    return E.left(
      tfError('IncompatibleInputShape', `${where}: must be called on a list of inputs, namely [query, value] or [query, value, key], received ${show(shapes)}`, {
        expected: '[query, value] or [query, value, key]',
        received: shapes
      })
    )
  const [q, v] = shapes
  const k = shapes[2] ?? v
  if (q.length < 3 || v.length !== q.length || k.length !== q.length)
    return shapeErr(where, `expected query, value and key of the same rank ≥ 3 ([batch, T, dim]), received ${showShapes(shapes)}`, '[batch, T, dim]', shapes)
  if (q[q.length - 1] === null || v[v.length - 1] === null || k[k.length - 1] === null) return shapeErr(where, `expected a known last axis, received ${showShapes(shapes)}`, 'known dim', shapes)
  const tv = v.length - 2
  if (v[tv] !== null && k[tv] !== null && v[tv] !== k[tv]) return shapeErr(where, `value and key must have the same number of steps, received ${showShapes(shapes)}`, v, k)
  return E.right({ q, v, k })
}

/**
 * @internal The frame of Keras's `BaseDenseAttention.call`: scores from `score(q, k)`, the value mask
 * and the causal mask, softmax, dropout, the weighted sum of the values, the query mask on the rows.
 */
export const denseAttend = (
  xs: ReadonlyArray<Tensor>,
  ctx: Ctx,
  o: { readonly rate: number; readonly causal: boolean; readonly scores: boolean },
  score: (q: Tensor, k: Tensor) => Tensor
): { readonly y: Tensor | ReadonlyArray<Tensor>; readonly state: Empty } => {
  const [q, v] = xs
  const k = xs[2] ?? v
  const masks = masksOf(ctx)
  const qMask = masks?.[0]
  const vMask = masks?.[1]
  const s = score(q, k)
  const r = s.shape.length
  const tq = s.shape[r - 2]
  const tv = s.shape[r - 1]
  // value mask [batch, Tv] -> [batch, 1, Tv]; causal mask [1, Tq, Tv]
  const vm = vMask === undefined ? undefined : reshape(vMask, [...vMask.shape.slice(0, -1), 1, tv])
  const m = andMask(vm, o.causal ? reshape(causalMask(tq, tv), [...s.shape.slice(0, -2).map(() => 1), tq, tv]) : undefined)
  const w = dropWeights(softmaxLast(maskScores(s, m)), o.rate, ctx.training, ctx.key)
  const out = matmul(w, v)
  const y = qMask === undefined ? out : mul(out, reshape(qMask, [...qMask.shape, 1]))
  return { y: o.scores ? Object.freeze([y, w]) : y, state: none }
}

/** @internal The output shape(s) of a dense attention layer. */
export const denseOutShape = (q: BatchShape, v: BatchShape, k: BatchShape, scores: boolean): BatchShape | ReadonlyArray<BatchShape> => {
  const y: BatchShape = Object.freeze([...q.slice(0, -1), v[v.length - 1]])
  return scores ? Object.freeze([y, Object.freeze([...q.slice(0, -1), k[k.length - 2]])]) : y
}

/** @internal The mask of an attention layer's output: the query's (Keras). */
export const queryMask = (_x: unknown, mask: Tensor | undefined): Tensor | undefined => mask

const DENSE_KEYS = ['dropout', 'useCausalMask', 'returnAttentionScores']

const denseCommon = (where: string, opts: DenseAttentionOptions): E.Either<TfError, { rate: number; causal: boolean; scores: boolean }> => {
  const rate = opts.dropout ?? 0
  if (!isRate(rate)) return invalidOption(`${where}.dropout`, 'a rate in [0, 1)', opts.dropout)
  for (const k of ['useCausalMask', 'returnAttentionScores'] as const) if (opts[k] !== undefined && typeof opts[k] !== 'boolean') return invalidOption(`${where}.${k}`, 'a boolean', opts[k])
  return E.right({ rate, causal: opts.useCausalMask === true, scores: opts.returnAttentionScores === true })
}

const withQueryMask = <L extends object>(l: L): L => Object.freeze({ ...l, computeMask: queryMask })

// ---------------------------------------------------------------------------------------------------
// attention

/** `attention` as `Either`. */
export const attentionE = <O extends AttentionOptions = {}>(opts: O = {} as O): E.Either<TfError, AttentionLayer<AttentionParams, AttentionOutput<O>>> =>
  pipe(
    checkOptions('attention', opts, ['useScale', 'scoreMode', ...DENSE_KEYS]),
    E.chain(() => denseCommon('attention', opts)),
    E.chain((c) => {
      const useScale = opts.useScale ?? false
      const scoreMode = opts.scoreMode ?? 'dot'
      if (typeof useScale !== 'boolean') return invalidOption('attention.useScale', 'a boolean', useScale)
      if (scoreMode !== 'dot' && scoreMode !== 'concat') return invalidOption('attention.scoreMode', "'dot' or 'concat'", scoreMode)
      const layer = makeLayer<AttentionParams, Empty, ReadonlyArray<Tensor>, Tensor | ReadonlyArray<Tensor>>(
        'Attention',
        { useScale, scoreMode, dropout: c.rate, useCausalMask: c.causal || undefined, returnAttentionScores: c.scores || undefined },
        opts,
        (_k, shapes) =>
          pipe(
            denseShapes('attention', shapes),
            E.chain(({ q, v, k }) =>
              q[q.length - 1] !== k[k.length - 1]
                ? shapeErr('attention', `${scoreMode} scores need query and key of the same last axis, received ${showShapes(shapes)}`, q, k)
                : E.right({
                      params: Object.freeze({
                        ...(useScale ? { scale: I.ones().init(_k, []) } : {}),
                        ...(scoreMode === 'concat' ? { concat_score_weight: I.ones().init(_k, []) } : {})
                      }),
                      state: none,
                      outputShape: denseOutShape(q, v, k, c.scores)
                    })
            )
          ),
        (p) => (xs, ctx) =>
          denseAttend(xs, ctx, c, (q, k) => {
            if (scoreMode === 'dot') {
              const s = matmul(q, k, { transposeB: true })
              return p.scale === undefined ? s : mul(s, p.scale)
            }
            const qk = pairSum(q, k)
            const t = tanh(p.scale === undefined ? qk : mul(qk, p.scale))
            return mul(sum(t, -1), p.concat_score_weight as Tensor)
          }),
        { multiInput: true, multiOutput: c.scores }
      )
      return E.right(withQueryMask(layer) as unknown as AttentionLayer<AttentionParams, AttentionOutput<O>>)
    })
  )

/**
 * Dot-product (Luong-style) attention, Keras 2.15's `Attention`: `softmax(q·kᵀ)·v`, optionally scaled
 * by a learned scalar (`useScale`) or with concat scores (`scoreMode: 'concat'`).
 * @example call(layers.attention(), [query, value])
 */
export const attention = <O extends AttentionOptions = {}>(opts: O = {} as O): AttentionLayer<AttentionParams, AttentionOutput<O>> => orThrow(attentionE(opts))

/** `q[…, Tq, 1, d] + k[…, 1, Tv, d]`: every query step with every key step. */
const pairSum = (q: Tensor, k: Tensor): Tensor => {
  const r = q.shape.length
  const qe = reshape(q, [...q.shape.slice(0, r - 1), 1, q.shape[r - 1]])
  const ke = reshape(k, [...k.shape.slice(0, r - 2), 1, ...k.shape.slice(r - 2)])
  return add(qe, ke)
}

// ---------------------------------------------------------------------------------------------------
// additive attention

/** `additiveAttention` as `Either`. */
export const additiveAttentionE = <O extends AdditiveAttentionOptions = {}>(opts: O = {} as O): E.Either<TfError, AttentionLayer<AdditiveAttentionParams, AttentionOutput<O>>> =>
  pipe(
    checkOptions('additiveAttention', opts, ['useScale', ...DENSE_KEYS]),
    E.chain(() => denseCommon('additiveAttention', opts)),
    E.chain((c) => {
      const useScale = opts.useScale ?? true
      if (typeof useScale !== 'boolean') return invalidOption('additiveAttention.useScale', 'a boolean', useScale)
      const layer = makeLayer<AdditiveAttentionParams, Empty, ReadonlyArray<Tensor>, Tensor | ReadonlyArray<Tensor>>(
        'AdditiveAttention',
        { useScale, dropout: c.rate, useCausalMask: c.causal || undefined, returnAttentionScores: c.scores || undefined },
        opts,
        (key, shapes) =>
          pipe(
            denseShapes('additiveAttention', shapes),
            E.chain(({ q, v, k }) =>
              q[q.length - 1] !== k[k.length - 1] || (useScale && v[v.length - 1] !== q[q.length - 1])
                ? shapeErr('additiveAttention', `query and key are added (and weighed by a scale of the value's size): they need the same last axis, received ${showShapes(shapes)}`, q, k)
                : E.right({
                    // Keras: the scale has the value's last axis, glorot-uniform
                    params: Object.freeze(useScale ? { scale: I.glorotUniform().init(key, [v[v.length - 1] as number]) } : {}),
                    state: none,
                    outputShape: denseOutShape(q, v, k, c.scores)
                  })
            )
          ),
        (p) => (xs, ctx) =>
          denseAttend(xs, ctx, c, (q, k) => {
            const t = tanh(pairSum(q, k))
            return sum(p.scale === undefined ? t : mul(t, p.scale), -1)
          }),
        { multiInput: true, multiOutput: c.scores }
      )
      return E.right(withQueryMask(layer) as unknown as AttentionLayer<AdditiveAttentionParams, AttentionOutput<O>>)
    })
  )

/**
 * Additive (Bahdanau-style) attention, Keras 2.15's `AdditiveAttention`: scores `Σ scale·tanh(q + k)`
 * over the last axis, `softmax(scores)·v`.
 * @example call(layers.additiveAttention(), [query, value])
 */
export const additiveAttention = <O extends AdditiveAttentionOptions = {}>(opts: O = {} as O): AttentionLayer<AdditiveAttentionParams, AttentionOutput<O>> => orThrow(additiveAttentionE(opts))
