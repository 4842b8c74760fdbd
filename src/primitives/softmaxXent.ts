/**
 * softmaxXent: softmax cross-entropy of logits `x` and labels `t` (one shape) along the last axis, one
 * value per row: `−Σ_j t_j logSoftmax(x)_j`, computed in one pass per row (see `backend/xent.ts`). The
 * categorical crossentropies use it on logits — and, as Keras 2.15 does, on the logits behind a softmax
 * output — so that a training step's loss is one kernel and its gradient another, instead of the dozen
 * that softmax, log, clip and the row sums take one by one.
 *
 * softmaxXentGrad: its VJP, `c (softmax(x) Σt − t)` with respect to the logits and `−c · logSoftmax(x)`
 * with respect to the labels, for row cotangents `c`. Its own VJP is written in primitives (softmax and
 * logSoftmax of the row), so the loss is twice differentiable.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { shapeEq } from '../core/Shape.js'
import { show } from '../core/errors.js'
import type { TfError } from '../core/errors.js'
import type { OutSpec } from './bind.js'
import type { XentWrt } from '../backend/Backend.js'
import { add } from './add.js'
import { mul } from './mul.js'
import { neg } from './neg.js'
import { exp } from './exp.js'
import { log } from './log.js'
import { abs } from './abs.js'
import { sum } from './sum.js'
import { max } from './max.js'
import { where } from './where.js'
import { compare } from './compare.js'
import { reshape } from './reshape.js'

/** Logits and labels of one shape, of rank ≥ 1. */
const checkPair = (op: string, x: Tensor, t: Tensor): E.Either<TfError, OutSpec> => {
  if (x.shape.length === 0) return shapeError(op, `logits must have a class axis, received a scalar`, 'rank ≥ 1', x.shape)
  if (!shapeEq(x.shape, t.shape)) return shapeError(op, `labels have shape ${show(t.shape)} and logits ${show(x.shape)}; they must match`, x.shape, t.shape)
  return ok(x.shape.slice(0, -1))
}

export const softmaxXentDef: PrimitiveDef<Record<string, never>> = {
  name: 'softmaxXent',
  shapeRule: ([x, t]) => checkPair('softmaxXent', x, t),
  impl: (be, [x, t]) => be.softmaxXent({ data: be.toFloat(x.data), shape: x.shape }, { data: be.toFloat(t.data), shape: t.shape }),
  // labels are usually data: their cotangent (two kernels) only when they are differentiated
  vjp: (ct, [x, t], _out, _p, wanted) => [wanted[0] ? softmaxXentGrad('logits', x, t, ct) : undefined, wanted[1] ? softmaxXentGrad('labels', x, t, ct) : undefined]
}

/** `logSoftmax` of the last axis in primitives (for the second-order VJP). */
const logSoftmaxRows = (x: Tensor): Tensor => {
  const m0 = max(x, -1, true)
  // the row's maximum, 0 where it is not finite; x − m − log Σ e^{x − m} does not depend on m, so no
  // gradient flows through it (its terms cancel)
  const s = add(x, neg(where(compare(abs(m0), Infinity, 'lt'), m0, 0)))
  return add(s, neg(log(sum(exp(s), -1, true))))
}

export const softmaxXentGradDef: PrimitiveDef<{ readonly wrt: XentWrt }> = {
  name: 'softmaxXentGrad',
  shapeRule: ([x, t, c], { wrt }) =>
    E.chain((spec: OutSpec) => {
      if (wrt !== 'logits' && wrt !== 'labels') return shapeError('softmaxXentGrad', `wrt must be 'logits' or 'labels', received ${show(wrt)}`, ['logits', 'labels'], wrt)
      if (!shapeEq(spec.shape, c.shape)) return shapeError('softmaxXentGrad', `row cotangents have shape ${show(c.shape)}, expected ${show(spec.shape)}`, spec.shape, c.shape)
      return ok(x.shape)
    })(checkPair('softmaxXentGrad', x, t)),
  impl: (be, [x, t, c], { wrt }) =>
    be.softmaxXentGrad(wrt, { data: be.toFloat(x.data), shape: x.shape }, { data: be.toFloat(t.data), shape: t.shape }, { data: be.toFloat(c.data), shape: c.shape }),
  vjp: (g, [x, t, c], _out, { wrt }) => {
    // with s = softmax(x), T = Σt, c per row: logits G = c (s T − t), labels L = −c logSoftmax(x)
    const cc = reshape(c, [...c.shape, 1])
    const ls = logSoftmaxRows(x)
    const s = exp(ls)
    const gs = sum(mul(g, s), -1, true)
    if (wrt === 'logits') {
      const T = sum(t, -1, true)
      return [
        // ∂/∂x_k Σ_j g_j c (s_j T − t_j) = c T s_k (g_k − Σ_j g_j s_j)
        mul(mul(cc, T), mul(s, add(g, neg(gs)))),
        // ∂/∂t_k = c (Σ_j g_j s_j − g_k)
        mul(cc, add(gs, neg(g))),
        sum(mul(g, add(mul(s, T), neg(t))), -1)
      ]
    }
    return [
      // ∂/∂x_k Σ_j −g_j c (x_j − lse) = c (s_k Σ_j g_j − g_k)
      mul(cc, add(mul(s, sum(g, -1, true)), neg(g))),
      undefined,
      neg(sum(mul(g, ls), -1))
    ]
  }
}

/**
 * Softmax cross-entropy of `logits` and `labels` (one shape) along the last axis; the result has the
 * logits' shape without that axis. @example softmaxXent(tensor([[2, 1, 0]]), tensor([[1, 0, 0]])) // [0.4076…]
 */
export const softmaxXent = (logits: Tensor, labels: Tensor): Tensor => bind(softmaxXentDef, [lift('softmaxXent', logits, 0), lift('softmaxXent', labels, 1)], {})

/** The VJP of {@link softmaxXent} with respect to `wrt`, for row cotangents `c`. */
export const softmaxXentGrad = (wrt: XentWrt, logits: Tensor, labels: Tensor, c: Tensor): Tensor =>
  bind(softmaxXentGradDef, [lift('softmaxXentGrad', logits, 0), lift('softmaxXentGrad', labels, 1), lift('softmaxXentGrad', c, 2)], { wrt })
