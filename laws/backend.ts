/**
 * Backend agreement: a function computed on a float32 backend (gpu.js) agrees with the float64
 * reference within float32 tolerance, for its value and its gradient. And second derivatives: the
 * gradient function itself passes the finite-difference check.
 *
 * @since 0.1.0
 */
import { Tensor, fromBuffer, dataF64 } from '../src/core/Tensor.js'
import * as Tree from '../src/core/Tree.js'
import { withBackend, type Backend, type BackendName } from '../src/backend/index.js'
import { vjp } from '../src/ad/vjp.js'
import { checkGrads, seededValues, type GradCheckOptions, type GradCheckReport } from './gradcheck.js'

/** Result of comparing a backend with the reference. */
export interface AgreementReport {
  readonly ok: boolean
  readonly maxRelError: number
}

const copyTo = (t: Tensor): Tensor => fromBuffer(t.dtype === 'int32' ? Int32Array.from(dataF64(t)) : Float64Array.from(dataF64(t)), t.shape, t.dtype)

/**
 * Compare `f(xs)` and its VJP (for a fixed cotangent) on `backend` against the reference backend.
 * Both run on the same inputs rounded to float32. An element passes when
 * |got − want| ≤ atol + rtol·|want|, with atol = 1e-5·(the largest magnitude among the inputs and that
 * output): float32 tolerance, robust to cancellation (a sum of terms of size 2 that nearly cancel is
 * only accurate to ~1e-7·2 per term, whatever its own size). `maxRelError` is the worst ratio of the
 * error to its allowance, scaled by rtol (so it passes when ≤ rtol).
 */
export const backendAgreement = (
  backend: BackendName | Backend,
  f: (xs: ReadonlyArray<Tensor>) => Tensor,
  xs: ReadonlyArray<Tensor>,
  opts: { rtol?: number; grads?: boolean } = {}
): AgreementReport => {
  const rtol = opts.rtol ?? 1e-4
  const rounded = xs.map((t) => fromBuffer(t.dtype === 'int32' ? Int32Array.from(dataF64(t)) : Float64Array.from(dataF64(t), Math.fround), t.shape, t.dtype))
  const inScale = rounded.reduce((m, t) => Math.max(m, dataF64(t).reduce((a, v) => Math.max(a, Math.abs(v)), 0)), 0)
  const run = (be: BackendName | Backend): Float64Array[] =>
    withBackend(be, () => {
      const inputs = rounded.map(copyTo)
      const [y, pb] = vjp((p: ReadonlyArray<Tensor>) => f(p), inputs as Tensor[])
      const outs = [dataF64(y)]
      if (opts.grads !== false) {
        const ct = fromBuffer(Float64Array.from(seededValues(y.size, 11), Math.fround), y.shape)
        for (const g of Tree.leaves(pb(ct) as Tree.Tree)) outs.push(dataF64(g))
      }
      return outs
    })
  const got = run(backend)
  const want = run('reference')
  let maxRelError = 0
  want.forEach((w, k) => {
    const scale = Math.max(inScale, w.reduce((m, v) => Math.max(m, Number.isFinite(v) ? Math.abs(v) : 0), 0), 1e-6)
    const atol = 1e-5 * scale
    const g = got[k]
    for (let i = 0; i < w.length; i++) {
      const same = g[i] === w[i] || (Number.isNaN(g[i]) && Number.isNaN(w[i]))
      const err = same ? 0 : (Math.abs(g[i] - w[i]) / (atol + rtol * Math.abs(w[i]))) * rtol
      const e = Number.isNaN(err) ? Infinity : err
      if (e > maxRelError) maxRelError = e
    }
  })
  return { ok: maxRelError <= rtol, maxRelError }
}

/**
 * Second derivatives: the function `x ↦ ∂⟨u, f(x)⟩/∂x` (a reverse pass) is itself checked against
 * finite differences, so VJPs of VJPs are right (`grad(grad(f))`).
 */
export const secondDerivativeCheck = (f: (xs: ReadonlyArray<Tensor>) => Tensor, xs: ReadonlyArray<Tensor>, opts: GradCheckOptions = {}): GradCheckReport =>
  withBackend('reference', () => {
    const probe = f(xs.map(copyTo))
    const u = fromBuffer(seededValues(probe.size, 5), probe.shape)
    const g = (p: ReadonlyArray<Tensor>): Tree.Tree => {
      const [, pb] = vjp((q: ReadonlyArray<Tensor>) => f(q), p as Tensor[])
      return pb(u) as Tree.Tree
    }
    return checkGrads(g, xs as Tensor[], { atol: 1e-4, rtol: 1e-3, ...opts })
  })
