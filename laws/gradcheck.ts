/**
 * Gradient checking: compare reverse-mode gradients with central finite differences, on the float64
 * reference backend, and the adjoint identity ⟨J v, u⟩ = ⟨v, Jᵀ u⟩.
 *
 * These are pure predicates (they return a report); `test/` and users drive them with fast-check.
 *
 * @since 0.1.0
 */
import { Tensor, fromBuffer, dataF64 } from '../src/core/Tensor.js'
import * as Tree from '../src/core/Tree.js'
import { withBackend } from '../src/backend/index.js'
import { vjp } from '../src/ad/vjp.js'
import { jvp } from '../src/ad/grad.js'

/** Options of {@link checkGrads}. */
export interface GradCheckOptions {
  /** finite-difference step (default 1e-6) */
  readonly eps?: number
  /** absolute tolerance (default 1e-5) */
  readonly atol?: number
  /** relative tolerance (default 1e-4) */
  readonly rtol?: number
  /** cotangent seed values; default: deterministic pseudo-random in [-1, 1] */
  readonly seed?: number
}

/** The outcome of a gradient check. */
export interface GradCheckReport {
  readonly ok: boolean
  readonly maxAbsError: number
  readonly worst: { readonly leaf: number; readonly index: number; readonly analytic: number; readonly numeric: number } | undefined
}

const f64 = (t: Tensor): Tensor => fromBuffer(dataF64(t), t.shape, t.dtype)

/** Deterministic values in [-1, 1] from an integer seed (no global random state). */
export const seededValues = (n: number, seed: number): Float64Array => {
  const out = new Float64Array(n)
  let s = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < n; i++) {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    out[i] = (s / 4294967296) * 2 - 1
  }
  return out
}

const randomLike = (tree: Tree.Tree, seed: number): Tree.Tree => {
  let k = seed
  return Tree.map(tree, (l) => fromBuffer(seededValues(l.size, ++k), l.shape))
}

const dotTrees = (a: Tree.Tree, b: Tree.Tree): number => {
  const la = Tree.leaves(a)
  const lb = Tree.leaves(b)
  let s = 0
  la.forEach((x, i) => {
    const xa = dataF64(x)
    const xb = dataF64(lb[i])
    for (let j = 0; j < xa.length; j++) s += xa[j] * xb[j]
  })
  return s
}

/**
 * Check the VJP of `f` at `x` against central finite differences of ⟨u, f(x)⟩ for a fixed random
 * cotangent `u`, on the float64 reference backend.
 * @example expect(checkGrads((x) => sum(exp(x)), tensor([0.5, -1])).ok).toBe(true)
 */
export const checkGrads = <X extends Tree.Tree>(f: (x: X) => Tree.Tree, x: X, opts: GradCheckOptions = {}): GradCheckReport =>
  withBackend('reference', () => {
    const eps = opts.eps ?? 1e-6
    const atol = opts.atol ?? 1e-5
    const rtol = opts.rtol ?? 1e-4
    const x64 = Tree.map(x, f64) as X
    const [y, pb] = vjp(f, x64)
    const u = randomLike(y, opts.seed ?? 7)
    const g = Tree.leaves(pb(u as never))
    const phi = (p: X): number => dotTrees(f(p), u)
    const xl = Tree.leaves(x64)
    const st = Tree.structure(x64)
    let maxAbsError = 0
    let ok = true
    let worst: GradCheckReport['worst']
    xl.forEach((leaf, li) => {
      if (leaf.dtype === 'int32') return
      const base = dataF64(leaf)
      const ga = dataF64(g[li])
      for (let i = 0; i < base.length; i++) {
        const bump = (d: number): X => {
          const b = base.slice()
          b[i] += d
          const ls = xl.slice()
          ls[li] = fromBuffer(b, leaf.shape)
          return Tree.unflatten<X>(st, ls)
        }
        const numeric = (phi(bump(eps)) - phi(bump(-eps))) / (2 * eps)
        const err = Math.abs(numeric - ga[i])
        const bad = !(err <= atol + rtol * Math.abs(numeric)) // NaN counts as bad
        if (err > maxAbsError || Number.isNaN(err)) {
          maxAbsError = Number.isNaN(err) ? Infinity : err
          worst = { leaf: li, index: i, analytic: ga[i], numeric }
        }
        if (bad) ok = false
      }
    })
    return { ok, maxAbsError, worst }
  })

/**
 * The adjoint identity: ⟨J v, u⟩ = ⟨v, Jᵀ u⟩ for random `v`, `u`, with J from `jvp` and Jᵀ from `vjp`.
 * Returns the relative discrepancy (0 for an exact pair).
 *
 * This checks that `jvp` and `vjp` agree with each other — not that either is right: `jvp` is built by
 * transposing the same pullback, so a wrong VJP gives a wrong JVP and the identity still holds. The
 * derivatives themselves are checked against finite differences by {@link checkGrads} (reverse) and
 * {@link checkJvp} (forward).
 */
export const adjointGap = <X extends Tree.Tree>(f: (x: X) => Tree.Tree, x: X, seed = 3): number =>
  withBackend('reference', () => {
    const x64 = Tree.map(x, f64) as X
    const v = randomLike(x64, seed) as X
    const [y, jv] = jvp(f)(x64, v)
    const u = randomLike(y, seed + 100)
    const [, pb] = vjp(f, x64)
    const jtu = pb(u as never)
    const lhs = dotTrees(jv, u)
    const rhs = dotTrees(v, jtu)
    return Math.abs(lhs - rhs) / Math.max(1, Math.abs(lhs), Math.abs(rhs))
  })

/**
 * Check `jvp` against an independent forward derivative: the central finite difference
 * (⟨u, f(x + εv)⟩ − ⟨u, f(x − εv)⟩) / 2ε of a random direction `v` (projected on a random `u`), on the
 * float64 reference backend. A wrong VJP makes this fail even though {@link adjointGap} stays 0.
 * @example expect(checkJvp((x) => exp(x), tensor([0.5, -1])).ok).toBe(true)
 */
export const checkJvp = <X extends Tree.Tree>(f: (x: X) => Tree.Tree, x: X, opts: GradCheckOptions = {}): GradCheckReport =>
  withBackend('reference', () => {
    const eps = opts.eps ?? 1e-6
    const atol = opts.atol ?? 1e-5
    const rtol = opts.rtol ?? 1e-4
    const seed = opts.seed ?? 11
    const x64 = Tree.map(x, f64) as X
    // integer leaves are not differentiable: no step along them
    const v = randomLike(x64, seed)
    const xl = Tree.leaves(x64)
    const vl = Tree.leaves(v).map((l, i) => (xl[i].dtype === 'int32' ? fromBuffer(new Float64Array(l.size), l.shape) : l))
    const st = Tree.structure(x64)
    const vv = Tree.unflatten<X>(st, vl)
    const [y, jv] = jvp(f)(x64, vv)
    const u = randomLike(y, seed + 100)
    const analytic = dotTrees(jv, u)
    const along = (d: number): X =>
      Tree.unflatten<X>(
        st,
        xl.map((l, i) => {
          if (l.dtype === 'int32') return l
          const a = dataF64(l)
          const b = dataF64(vl[i])
          return fromBuffer(a.map((ai, j) => ai + d * b[j]), l.shape)
        })
      )
    const numeric = (dotTrees(f(along(eps)), u) - dotTrees(f(along(-eps)), u)) / (2 * eps)
    const err = Math.abs(numeric - analytic)
    const ok = err <= atol + rtol * Math.abs(numeric) // NaN counts as bad
    return { ok, maxAbsError: Number.isNaN(err) ? Infinity : err, worst: { leaf: -1, index: -1, analytic, numeric } }
  })
