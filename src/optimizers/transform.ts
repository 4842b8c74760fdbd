/**
 * The building blocks named optimizers are chained from. Each follows Keras's published update rule
 * (Keras 3 `keras/optimizers/*.py`), written as a direction: the learning rate and the minus sign are
 * applied last, by `scaleByLearningRate` (or the learning rate injected by a named optimizer).
 *
 * Per-leaf work is kept to a handful of ops (each op is a kernel call on every batch); scalars that
 * depend only on the step are computed once per update, on scalar tensors.
 *
 * @since 0.1.0
 */
import type { Tensor } from '../core/Tensor.js'
import { fill, scalar } from '../core/Tensor.js'
import * as T from '../core/Tree.js'
import { fail, show } from '../core/errors.js'
import { add, mul, div, sqrt, pow, abs, maximum, minimum, sum, neg } from '../primitives/index.js'
import { sub } from '../ops/arithmetic.js'
import { type GradientTransformation, type EmptyState, type CountState, type Tree, EMPTY, mapLeaves, mapTree, zeroCount, scale } from './base.js'
import type { LearningRate } from './schedule.js'

const zerosLike = (params: Tree): Tree => mapTree(params, (p) => fill(p.shape, 0))
const fullLike = (params: Tree, v: number): Tree => mapTree(params, (p) => fill(p.shape, v))

const check = (op: string, name: string, v: unknown, ok: (n: number) => boolean, what: string): number => {
  if (typeof v !== 'number' || !ok(v)) fail('InvalidOption', `${op}: expected ${name} to be ${what}, received ${show(v)}`, { op, path: name, expected: what, received: v })
  return v as number
}
const inUnit = (n: number): boolean => n >= 0 && n < 1
const nonNeg = (n: number): boolean => Number.isFinite(n) && n >= 0
const positive = (n: number): boolean => Number.isFinite(n) && n > 0

/**
 * Multiply updates by `−learningRate` (a constant or a schedule of the step count): the last link of a
 * descent chain. A constant rate keeps no state; a schedule keeps `{count}`.
 * @example chain(scaleByAdam(), scaleByLearningRate(1e-3))
 */
export function scaleByLearningRate(learningRate: number): GradientTransformation<EmptyState>
export function scaleByLearningRate(learningRate: LearningRate): GradientTransformation<EmptyState | CountState>
export function scaleByLearningRate(learningRate: LearningRate): GradientTransformation<EmptyState | CountState> {
  if (typeof learningRate === 'number') return scale(-check('scaleByLearningRate', 'learningRate', learningRate, Number.isFinite, 'a finite number'))
  return scaleBySchedule((step) => neg(learningRate(step)))
}

/**
 * Multiply updates by `schedule(count)`, counting updates in the state.
 * @example scaleBySchedule(cosineDecay({ initialLearningRate: -0.1, decaySteps: 1000 }))
 */
export const scaleBySchedule = (schedule: (step: Tensor) => Tensor): GradientTransformation<CountState> => ({
  init: () => ({ count: zeroCount() }),
  update: (updates, state) => {
    const f = schedule(state.count)
    return [mapTree(updates, (u) => mul(u, f)), { count: add(state.count, 1) }]
  }
})

/** State of {@link traceMomentum}. */
export type TraceState = { readonly trace: Tree }

/** Options of {@link traceMomentum}. */
export interface TraceOptions {
  /** The momentum coefficient μ. Default 0.9. */
  readonly decay?: number
  /** Nesterov momentum. Default false. */
  readonly nesterov?: boolean
}

/**
 * Momentum: `t ← g + μ t`, out `t` (or `g + μ t` with Nesterov). With a constant learning rate this is
 * exactly Keras's SGD momentum (`m ← μ m − lr g`, since `m = −lr · t`).
 * @example chain(traceMomentum({ decay: 0.9 }), scaleByLearningRate(0.01))
 */
export const traceMomentum = (o: TraceOptions = {}): GradientTransformation<TraceState> => {
  const mu = check('traceMomentum', 'decay', o.decay ?? 0.9, inUnit, 'a number in [0, 1)')
  const nesterov = o.nesterov ?? false
  return {
    init: (params) => ({ trace: zerosLike(params) }),
    update: (updates, state) => {
      const [out, trace] = mapLeaves('traceMomentum', [updates, state.trace], 2, ([g, t]) => {
        const t2 = add(g, mul(t, mu))
        return [nesterov ? add(g, mul(t2, mu)) : t2, t2]
      })
      return [out, { trace }]
    }
  }
}

/** State of {@link scaleByAdam}: the step count and the first and second moments. */
export type AdamState = { readonly count: Tensor; readonly mu: Tree; readonly nu: Tree }

/** Moment options shared by the Adam family. */
export interface AdamOptions {
  /** Decay of the first moment. Default 0.9. */
  readonly beta1?: number
  /** Decay of the second moment. Default 0.999. */
  readonly beta2?: number
  /** Keras's epsilon. Default 1e-7. */
  readonly epsilon?: number
}

const betas = (op: string, o: AdamOptions): [number, number, number] => [
  check(op, 'beta1', o.beta1 ?? 0.9, inUnit, 'a number in [0, 1)'),
  check(op, 'beta2', o.beta2 ?? 0.999, inUnit, 'a number in [0, 1)'),
  check(op, 'epsilon', o.epsilon ?? 1e-7, nonNeg, 'a non-negative number')
]

/**
 * Adam's direction with Keras's epsilon placement: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, out
 * `m · √(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε)` — ε is added to the uncorrected `√v`, as Keras does.
 * @example chain(scaleByAdam(), scaleByLearningRate(1e-3))
 */
export const scaleByAdam = (o: AdamOptions = {}): GradientTransformation<AdamState> => {
  const [b1, b2, eps] = betas('scaleByAdam', o)
  return {
    init: (params) => ({ count: zeroCount(), mu: zerosLike(params), nu: zerosLike(params) }),
    update: (updates, state) => {
      const t = add(state.count, 1)
      const alpha = div(sqrt(sub(1, pow(b2, t))), sub(1, pow(b1, t)))
      const [out, mu, nu] = mapLeaves('scaleByAdam', [updates, state.mu, state.nu], 3, ([g, m, v]) => {
        const m2 = add(mul(m, b1), mul(g, 1 - b1))
        const v2 = add(mul(v, b2), mul(mul(g, g), 1 - b2))
        return [div(mul(m2, alpha), add(sqrt(v2), eps)), m2, v2]
      })
      return [out, { count: t, mu, nu }]
    }
  }
}

/** State of {@link scaleByAdamax}. */
export type AdamaxState = { readonly count: Tensor; readonly mu: Tree; readonly nu: Tree }

/**
 * Adamax's direction (Keras): `m ← β₁m + (1−β₁)g`, `u ← max(β₂u, |g|)`, out `m / ((1−β₁ᵗ)(u + ε))`.
 * @example chain(scaleByAdamax(), scaleByLearningRate(1e-3))
 */
export const scaleByAdamax = (o: AdamOptions = {}): GradientTransformation<AdamaxState> => {
  const [b1, b2, eps] = betas('scaleByAdamax', o)
  return {
    init: (params) => ({ count: zeroCount(), mu: zerosLike(params), nu: zerosLike(params) }),
    update: (updates, state) => {
      const t = add(state.count, 1)
      const c = div(1, sub(1, pow(b1, t)))
      const [out, mu, nu] = mapLeaves('scaleByAdamax', [updates, state.mu, state.nu], 3, ([g, m, u]) => {
        const m2 = add(mul(m, b1), mul(g, 1 - b1))
        const u2 = maximum(mul(u, b2), abs(g))
        return [div(mul(m2, c), add(u2, eps)), m2, u2]
      })
      return [out, { count: t, mu, nu }]
    }
  }
}

/** State of {@link scaleByNadam}: as Adam's plus the running product of the momentum schedule. */
export type NadamState = { readonly count: Tensor; readonly mu: Tree; readonly nu: Tree; readonly muProduct: Tensor }

/**
 * Nadam's direction (Keras 3, Dozat 2015): with `uₜ = β₁(1 − ½·0.96ᵗ)` and `Πₜ = u₁⋯uₜ`,
 * `m̂ = uₜ₊₁ m / (1 − Πₜ uₜ₊₁) + (1 − uₜ) g / (1 − Πₜ)`, `v̂ = v / (1 − β₂ᵗ)`, out `m̂ / (√v̂ + ε)`.
 * @example chain(scaleByNadam(), scaleByLearningRate(1e-3))
 */
export const scaleByNadam = (o: AdamOptions = {}): GradientTransformation<NadamState> => {
  const [b1, b2, eps] = betas('scaleByNadam', o)
  return {
    init: (params) => ({ count: zeroCount(), mu: zerosLike(params), nu: zerosLike(params), muProduct: scalar(1) }),
    update: (updates, state) => {
      const t = add(state.count, 1)
      const ut = mul(b1, sub(1, mul(0.5, pow(0.96, t))))
      const ut1 = mul(b1, sub(1, mul(0.5, pow(0.96, add(t, 1)))))
      const prod = mul(state.muProduct, ut)
      const cm = div(ut1, sub(1, mul(prod, ut1)))
      const cg = div(sub(1, ut), sub(1, prod))
      const cv = div(1, sqrt(sub(1, pow(b2, t))))
      const [out, mu, nu] = mapLeaves('scaleByNadam', [updates, state.mu, state.nu], 3, ([g, m, v]) => {
        const m2 = add(mul(m, b1), mul(g, 1 - b1))
        const v2 = add(mul(v, b2), mul(mul(g, g), 1 - b2))
        const mHat = add(mul(m2, cm), mul(g, cg))
        return [div(mHat, add(mul(sqrt(v2), cv), eps)), m2, v2]
      })
      return [out, { count: t, mu, nu, muProduct: prod }]
    }
  }
}

/** State of {@link scaleByRms}: the mean square (and, centered, the mean) of past updates. */
export type RmsState = { readonly nu: Tree; readonly mu: Tree }

/** Options of {@link scaleByRms}. */
export interface RmsOptions {
  /** Decay ρ of the running averages. Default 0.9. */
  readonly rho?: number
  /** Added inside the square root, as Keras does. Default 1e-7. */
  readonly epsilon?: number
  /** Divide by the running standard deviation instead of the RMS. Default false. */
  readonly centered?: boolean
}

/**
 * RMSprop's direction (Keras): `v ← ρv + (1−ρ)g²`, out `g / √(v + ε)`; centered:
 * `a ← ρa + (1−ρ)g`, out `g / √(v − a² + ε)`. (`mu` is an empty record when not centered.)
 * @example chain(scaleByRms({ rho: 0.9 }), scaleByLearningRate(1e-3))
 */
export const scaleByRms = (o: RmsOptions = {}): GradientTransformation<RmsState> => {
  const rho = check('scaleByRms', 'rho', o.rho ?? 0.9, inUnit, 'a number in [0, 1)')
  const eps = check('scaleByRms', 'epsilon', o.epsilon ?? 1e-7, nonNeg, 'a non-negative number')
  const centered = o.centered ?? false
  return {
    init: (params) => ({ nu: zerosLike(params), mu: centered ? zerosLike(params) : EMPTY }),
    update: (updates, state) => {
      if (!centered) {
        const [out, nu] = mapLeaves('scaleByRms', [updates, state.nu], 2, ([g, v]) => {
          const v2 = add(mul(v, rho), mul(mul(g, g), 1 - rho))
          return [div(g, sqrt(add(v2, eps))), v2]
        })
        return [out, { nu, mu: state.mu }]
      }
      const [out, nu, mu] = mapLeaves('scaleByRms', [updates, state.nu, state.mu], 3, ([g, v, a]) => {
        const v2 = add(mul(v, rho), mul(mul(g, g), 1 - rho))
        const a2 = add(mul(a, rho), mul(g, 1 - rho))
        return [div(g, sqrt(add(sub(v2, mul(a2, a2)), eps))), v2, a2]
      })
      return [out, { nu, mu }]
    }
  }
}

/** State of {@link scaleByRss}: the sum of squared updates. */
export type RssState = { readonly sumOfSquares: Tree }

/** Options of {@link scaleByRss}. */
export interface RssOptions {
  /** Starting value of the accumulator. Default 0.1. */
  readonly initialAccumulatorValue?: number
  /** Added inside the square root. Default 1e-7. */
  readonly epsilon?: number
}

/**
 * Adagrad's direction (Keras): `s ← s + g²`, out `g / √(s + ε)`.
 * @example chain(scaleByRss(), scaleByLearningRate(1e-3))
 */
export const scaleByRss = (o: RssOptions = {}): GradientTransformation<RssState> => {
  const init0 = check('scaleByRss', 'initialAccumulatorValue', o.initialAccumulatorValue ?? 0.1, nonNeg, 'a non-negative number')
  const eps = check('scaleByRss', 'epsilon', o.epsilon ?? 1e-7, nonNeg, 'a non-negative number')
  return {
    init: (params) => ({ sumOfSquares: fullLike(params, init0) }),
    update: (updates, state) => {
      const [out, s] = mapLeaves('scaleByRss', [updates, state.sumOfSquares], 2, ([g, acc]) => {
        const acc2 = add(acc, mul(g, g))
        return [div(g, sqrt(add(acc2, eps))), acc2]
      })
      return [out, { sumOfSquares: s }]
    }
  }
}

/** State of {@link scaleByAdadelta}: running averages of squared updates and squared deltas. */
export type AdadeltaState = { readonly accumulatedGrad: Tree; readonly accumulatedDelta: Tree }

/** Options of {@link scaleByAdadelta}. */
export interface ScaleByAdadeltaOptions {
  /** Decay ρ. Default 0.95. */
  readonly rho?: number
  /** Default 1e-7. */
  readonly epsilon?: number
}

/**
 * Adadelta's direction (Keras): `a ← ρa + (1−ρ)g²`, `d = √(D + ε)/√(a + ε) · g`,
 * `D ← ρD + (1−ρ)d²`, out `d`.
 * @example chain(scaleByAdadelta(), scaleByLearningRate(1e-3))
 */
export const scaleByAdadelta = (o: ScaleByAdadeltaOptions = {}): GradientTransformation<AdadeltaState> => {
  const rho = check('scaleByAdadelta', 'rho', o.rho ?? 0.95, inUnit, 'a number in [0, 1)')
  const eps = check('scaleByAdadelta', 'epsilon', o.epsilon ?? 1e-7, nonNeg, 'a non-negative number')
  return {
    init: (params) => ({ accumulatedGrad: zerosLike(params), accumulatedDelta: zerosLike(params) }),
    update: (updates, state) => {
      const [out, ag, ad] = mapLeaves('scaleByAdadelta', [updates, state.accumulatedGrad, state.accumulatedDelta], 3, ([g, a, dAcc]) => {
        const a2 = add(mul(a, rho), mul(mul(g, g), 1 - rho))
        const d = mul(div(sqrt(add(dAcc, eps)), sqrt(add(a2, eps))), g)
        return [d, a2, add(mul(dAcc, rho), mul(mul(d, d), 1 - rho))]
      })
      return [out, { accumulatedGrad: ag, accumulatedDelta: ad }]
    }
  }
}

/** Options of {@link addDecayedWeights}. */
export interface DecayOptions {
  /** Which leaves decay, by path (e.g. skip biases: `(path) => !path.endsWith('bias')`). Default: all. */
  readonly mask?: (path: string, param: Tensor) => boolean
}

/**
 * Decoupled weight decay: `u + λ·p` (before the learning rate is applied, so the step is `−lr·λ·p`, as
 * Keras's `weight_decay`).
 * @example chain(scaleByAdam(), addDecayedWeights(0.004), scaleByLearningRate(1e-3))
 */
export const addDecayedWeights = (weightDecay: number, o: DecayOptions = {}): GradientTransformation<EmptyState> => {
  const wd = check('addDecayedWeights', 'weightDecay', weightDecay, nonNeg, 'a non-negative number')
  const mask = o.mask
  return {
    init: () => EMPTY,
    update: (updates, state, params) => {
      if (wd === 0) return [updates, state]
      if (mask === undefined) return [mapLeaves('addDecayedWeights', [updates, params], 1, ([u, p]) => [add(u, mul(p, wd))])[0], state]
      // pair leaves by path (the two trees share a structure)
      const byPath = new Map<string, Tensor>()
      T.map(params, (p, path) => (byPath.set(path, p), p))
      return [
        T.map(updates, (u, path) => {
          const p = byPath.get(path)
          if (p === undefined) return fail('StructureMismatch', `addDecayedWeights: no parameter at ${path}`, { op: 'addDecayedWeights', expected: path, actual: undefined })
          return mask(path, p) ? add(u, mul(p, wd)) : u
        }),
        state
      ]
    }
  }
}

/**
 * Scale all updates together so that their global L2 norm is at most `maxNorm` (Keras's
 * `global_clipnorm`): `u · maxNorm / max(‖u‖, maxNorm)`.
 * @example chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3))
 */
export const clipByGlobalNorm = (maxNorm: number): GradientTransformation<EmptyState> => {
  const c = check('clipByGlobalNorm', 'maxNorm', maxNorm, positive, 'a positive number')
  return {
    init: () => EMPTY,
    update: (updates, state) => {
      const ls = T.leaves(updates)
      if (ls.length === 0) return [updates, state]
      const sq = ls.map((u) => sum(mul(u, u))).reduce((a, b) => add(a, b))
      const factor = div(c, maximum(sqrt(sq), c))
      return [mapTree(updates, (u) => mul(u, factor)), state]
    }
  }
}

/**
 * Scale each leaf so that its own L2 norm is at most `maxNorm` (Keras's `clipnorm`).
 * @example clipByNorm(1)
 */
export const clipByNorm = (maxNorm: number): GradientTransformation<EmptyState> => {
  const c = check('clipByNorm', 'maxNorm', maxNorm, positive, 'a positive number')
  return {
    init: () => EMPTY,
    update: (updates, state) => [mapTree(updates, (u) => mul(u, div(c, maximum(sqrt(sum(mul(u, u))), c)))), state]
  }
}

/**
 * Clip every update into `[−maxDelta, maxDelta]` (Keras's `clipvalue`), or into `[min, max]` given two
 * bounds.
 * @example clipByValue(0.5); clipByValue(-1, 2)
 */
export const clipByValue = (minOrMaxDelta: number, max?: number): GradientTransformation<EmptyState> => {
  const [lo, hi] = max === undefined ? [-Math.abs(minOrMaxDelta), Math.abs(minOrMaxDelta)] : [minOrMaxDelta, max]
  if (!(typeof lo === 'number' && typeof hi === 'number' && !Number.isNaN(lo) && !Number.isNaN(hi) && lo <= hi))
    fail('InvalidOption', `clipByValue: expected bounds min ≤ max, received ${show([minOrMaxDelta, max])}`, { op: 'clipByValue', path: 'max', expected: 'min ≤ max', received: [minOrMaxDelta, max] })
  return {
    init: () => EMPTY,
    update: (updates, state) => [mapTree(updates, (u) => minimum(maximum(u, lo), hi)), state]
  }
}
