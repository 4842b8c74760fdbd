/**
 * matmul: batched matrix product `op(a) · op(b)` where `op` optionally transposes the last two axes.
 * Batch axes broadcast. Ranks below 2 are rejected (ops/linalg `dot` reshapes vectors).
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, type OutSpec, bind, lift, shapeError, ok } from './bind.js'
import { type Backend, type View, syncSide } from '../backend/Backend.js'
import { broadcastShapes, size, shapeEq } from '../core/Shape.js'
import { unbroadcast } from './unbroadcast.js'
import type { Tensor } from '../core/Tensor.js'
import { show } from '../core/errors.js'

/** Transposition flags. */
export interface MatmulParams {
  readonly transposeA: boolean
  readonly transposeB: boolean
}

const dims = (a: Tensor, b: Tensor, p: MatmulParams) => {
  const ra = a.shape.length
  const rb = b.shape.length
  const [m, ka] = p.transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]]
  const [kb, n] = p.transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]]
  return { m, ka, kb, n, batchA: a.shape.slice(0, ra - 2), batchB: b.shape.slice(0, rb - 2) }
}

/** Broadcast the batch axes of both operands to the output's, and read off the sizes. */
const operands = (be: Backend, [a, b]: ReadonlyArray<View>, p: MatmulParams, out: OutSpec) => {
  const ra = a.shape.length
  const rb = b.shape.length
  const batch = out.shape.slice(0, -2)
  const full = (v: View, r: number) => {
    const want = [...batch, v.shape[r - 2], v.shape[r - 1]]
    return shapeEq(v.shape, want) ? v.data : be.broadcastTo(v, want)
  }
  return {
    a: full(a, ra),
    b: full(b, rb),
    batch: size(batch),
    m: out.shape[out.shape.length - 2],
    n: out.shape[out.shape.length - 1],
    k: p.transposeA ? a.shape[ra - 2] : a.shape[ra - 1]
  }
}

export const matmulDef: PrimitiveDef<MatmulParams> = {
  name: 'matmul',
  shapeRule: ([a, b], p) => {
    if (a.shape.length < 2 || b.shape.length < 2)
      return shapeError('matmul', `expected operands of rank ≥ 2, received shapes ${show(a.shape)} and ${show(b.shape)}`, 'rank >= 2', [a.shape, b.shape])
    const d = dims(a, b, p)
    if (d.ka !== d.kb)
      return shapeError('matmul', `inner dimensions differ: ${show(a.shape)}${p.transposeA ? 'ᵀ' : ''} · ${show(b.shape)}${p.transposeB ? 'ᵀ' : ''} (${d.ka} vs ${d.kb})`, d.ka, d.kb)
    return E.chain((batch: ReadonlyArray<number>) => ok([...batch, d.m, d.n]))(broadcastShapes('matmul', d.batchA, d.batchB))
  },
  impl: (be, ins, p, out) => {
    // a batch broadcast feeds the product at once: it runs on the synchronous side
    const o = operands(syncSide(be), ins, p, out)
    return be.matmul(o.a, o.b, o.batch, o.m, o.k, o.n, p.transposeA, p.transposeB)
  },
  vjp: (ct, [a, b], _out, p) => {
    const mm = (x: Tensor, y: Tensor, ta: boolean, tb: boolean) => matmul(x, y, { transposeA: ta, transposeB: tb })
    const { transposeA: ta, transposeB: tb } = p
    // C = A·B:    dA = ct·Bᵀ,      dB = Aᵀ·ct
    // C = Aᵀ·B:   dA = B·ctᵀ,      dB = A·ct
    // C = A·Bᵀ:   dA = ct·B,       dB = ctᵀ·A
    // C = Aᵀ·Bᵀ:  dA = Bᵀ·ctᵀ,     dB = ctᵀ·Aᵀ
    const da = !ta ? (tb ? mm(ct, b, false, false) : mm(ct, b, false, true)) : tb ? mm(b, ct, true, true) : mm(b, ct, false, true)
    const db = !tb ? (ta ? mm(a, ct, false, false) : mm(a, ct, true, false)) : ta ? mm(ct, a, true, true) : mm(ct, a, true, false)
    return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)]
  }
}
/** Matrix product with batch broadcasting. @example matmul(x, w) ; matmul(x, w, { transposeB: true }) */
export const matmul = (a: Tensor, b: Tensor, opts: Partial<MatmulParams> = {}): Tensor =>
  bind(matmulDef, [lift('matmul', a, 0), lift('matmul', b, 1)], { transposeA: opts.transposeA ?? false, transposeB: opts.transposeB ?? false })
