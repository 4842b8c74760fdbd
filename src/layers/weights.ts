/**
 * What a layer may say about its weights besides their values: **regularizers** (penalties added to the
 * training loss, and reported in it, as Keras does) and **constraints** (projections applied to a weight
 * after each optimizer update). Both are plain values with a JSON form, so they save with the layer.
 *
 * - `l1(0.01)`: `0.01·Σ|w|`; `l2(0.01)`: `0.01·Σw²` (no ½, as Keras); `l1l2({l1, l2})` both (defaults 0.01).
 *   All three are one kind, `L1L2`, the class TensorFlow.js and Keras both read.
 * - `maxNorm(maxValue = 2, axis = 0)`, `unitNorm(axis = 0)`, `minMaxNorm({minValue, maxValue, rate, axis})`,
 *   `nonNeg()`: Keras 2.15's formulas (norms over `axis`, kept; ε = 1e-7).
 * - `weightOptions(where, opts, {kernel: 'kernel', bias: 'bias'})`: the one helper every layer with weights
 *   calls: it resolves `kernelRegularizer`, `biasRegularizer`, `kernelConstraint`, `biasConstraint` (one
 *   pair per entry) and `activityRegularizer` from the options, and gives the JSON for the layer's config.
 *
 * Laws (test/layers/weights.test.ts): `l2(c)` of `w` is `c·Σw²`; `nonNeg` output is ≥ 0; `maxNorm(m)`
 * output norms are ≤ m; `unitNorm` output norms are 1; a constraint is idempotent.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import { tfError, type TfError, show } from '../core/errors.js'
import { abs, sum, mul, add, div, sqrt, compare, minimum, maximum } from '../primitives/index.js'
import type { Config, Json } from './json.js'

const EPSILON = 1e-7

// ---------------------------------------------------------------------------------------------------
// regularizers

/** A penalty on a weight (or, as an activity regularizer, on a layer's output). */
export interface Regularizer {
  readonly kind: 'L1L2'
  readonly config: { readonly l1: number; readonly l2: number }
  /** the penalty of a weight: `l1·Σ|w| + l2·Σw²` */
  readonly penalty: (w: Tensor) => Tensor
  /** the penalty of an output, divided by its batch size (Keras's activity regularization) */
  readonly activity: (y: Tensor) => Tensor
}

/** What regularizer options accept: a name, a regularizer, or its JSON (`{kind: 'L1L2', config: {l1, l2}}`). */
export type RegularizerLike = 'l1' | 'l2' | 'l1l2' | 'l1_l2' | Regularizer | { readonly kind: string; readonly config?: { readonly [k: string]: Json } }

const l1l2Value = (a: number, b: number): Regularizer => {
  const penalty = (w: Tensor): Tensor => {
    const p1 = a !== 0 ? mul(sum(abs(w)), a) : undefined
    const p2 = b !== 0 ? mul(sum(mul(w, w)), b) : undefined
    return p1 !== undefined && p2 !== undefined ? add(p1, p2) : (p1 ?? p2 ?? mul(sum(w), 0))
  }
  return Object.freeze({
    kind: 'L1L2' as const,
    config: Object.freeze({ l1: a, l2: b }),
    penalty,
    activity: (y: Tensor) => div(penalty(y), y.shape.length > 0 ? Math.max(1, y.shape[0]) : 1)
  })
}

const factor = (where: string, v: unknown): E.Either<TfError, number> =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0
    ? E.right(v)
    : E.left(tfError('InvalidOption', `${where}: expected a non-negative finite regularization factor, received ${show(v)}`, { path: where, expected: 'number >= 0', received: v }))

/** `l1·Σ|w|` (Keras default 0.01). @example dense(4, { kernelRegularizer: l1(0.001) }) */
export const l1 = (l1 = 0.01): Regularizer => l1l2Value(l1, 0)
/** `l2·Σw²` (Keras default 0.01; no ½). @example dense(4, { kernelRegularizer: l2(0.001) }) */
export const l2 = (l2 = 0.01): Regularizer => l1l2Value(0, l2)
/** `l1·Σ|w| + l2·Σw²` (Keras's `l1_l2`: defaults 0.01 each). @example l1l2({ l1: 0.01, l2: 0.001 }) */
export const l1l2 = (opts: { readonly l1?: number; readonly l2?: number } = {}): Regularizer => l1l2Value(opts.l1 ?? 0.01, opts.l2 ?? 0.01)

/** Resolve a regularizer option (`undefined`/`null`: none). */
export const resolveRegularizer = (where: string, r: unknown): E.Either<TfError, Regularizer | undefined> => {
  if (r === undefined || r === null) return E.right(undefined)
  if (r === 'l1') return E.right(l1())
  if (r === 'l2') return E.right(l2())
  if (r === 'l1l2' || r === 'l1_l2') return E.right(l1l2())
  if (typeof r === 'object' && !Array.isArray(r)) {
    const o = r as { kind?: unknown; config?: unknown }
    const c = (typeof o.config === 'object' && o.config !== null ? o.config : {}) as { l1?: unknown; l2?: unknown }
    // Keras's classes: L1(l1=0.01), L2(l2=0.01), L1L2(l1=0, l2=0)
    const dflt = o.kind === 'L1' ? [0.01, 0] : o.kind === 'L2' ? [0, 0.01] : o.kind === 'L1L2' ? [0, 0] : undefined
    if (dflt !== undefined) {
      const a = factor(`${where}.config.l1`, o.kind === 'L2' ? 0 : (c.l1 ?? dflt[0]))
      if (E.isLeft(a)) return a
      const b = factor(`${where}.config.l2`, o.kind === 'L1' ? 0 : (c.l2 ?? dflt[1]))
      if (E.isLeft(b)) return b
      return E.right(l1l2Value(a.right, b.right))
    }
  }
  return E.left(
    tfError('InvalidOption', `${where}: unknown regularizer ${show(r)}; expected 'l1', 'l2', 'l1l2', l1(c), l2(c), l1l2({l1, l2}) or {kind: 'L1L2', config: {l1, l2}}`, {
      path: where,
      expected: ['l1', 'l2', 'l1l2'],
      received: r
    })
  )
}

/** The JSON form of a regularizer (what configs and files hold). */
export const regularizerJson = (r: Regularizer): Json => ({ kind: r.kind, config: { l1: r.config.l1, l2: r.config.l2 } })

// ---------------------------------------------------------------------------------------------------
// constraints

/** A projection of a weight, applied after each optimizer update. */
export interface Constraint {
  readonly kind: 'MaxNorm' | 'NonNeg' | 'UnitNorm' | 'MinMaxNorm'
  readonly config: Config
  readonly apply: (w: Tensor) => Tensor
}

/** What constraint options accept: a name, a constraint, or its JSON (`{kind: 'MaxNorm', config: {maxValue, axis}}`). */
export type ConstraintLike =
  | 'maxNorm' | 'max_norm' | 'nonNeg' | 'non_neg' | 'unitNorm' | 'unit_norm' | 'minMaxNorm' | 'min_max_norm'
  | Constraint
  | { readonly kind: string; readonly config?: { readonly [k: string]: Json } }

type Axis = number | ReadonlyArray<number>

const axesOf = (w: Tensor, axis: Axis): number[] => {
  const r = w.shape.length
  return (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? a + r : a)).filter((a) => a >= 0 && a < r)
}

/** `sqrt(Σ_axis w²)`, keeping the reduced axes. */
const norms = (w: Tensor, axis: Axis): Tensor => sqrt(sum(mul(w, w), axesOf(w, axis), true))

const rescaled = (w: Tensor, n: Tensor, desired: Tensor): Tensor => mul(w, div(desired, add(n, EPSILON)))

/** Norms along `axis` at most `maxValue` (Keras default 2, axis 0). @example dense(4, { kernelConstraint: maxNorm(3) }) */
export const maxNorm = (maxValue = 2, axis: Axis = 0): Constraint =>
  Object.freeze({
    kind: 'MaxNorm' as const,
    config: Object.freeze({ maxValue, axis: typeof axis === 'number' ? axis : [...axis] }),
    apply: (w: Tensor) => {
      const n = norms(w, axis)
      return rescaled(w, n, minimum(maximum(n, 0), maxValue))
    }
  })

/** Norms along `axis` clipped to `[minValue, maxValue]`, moved by `rate` (Keras defaults 0, 1, 1, 0). */
export const minMaxNorm = (opts: { readonly minValue?: number; readonly maxValue?: number; readonly rate?: number; readonly axis?: Axis } = {}): Constraint => {
  const lo = opts.minValue ?? 0
  const hi = opts.maxValue ?? 1
  const rate = opts.rate ?? 1
  const axis = opts.axis ?? 0
  return Object.freeze({
    kind: 'MinMaxNorm' as const,
    config: Object.freeze({ minValue: lo, maxValue: hi, rate, axis: typeof axis === 'number' ? axis : [...axis] }),
    apply: (w: Tensor) => {
      const n = norms(w, axis)
      const desired = add(mul(minimum(maximum(n, lo), hi), rate), mul(n, 1 - rate))
      return rescaled(w, n, desired)
    }
  })
}

/** Unit norms along `axis` (Keras default 0). @example dense(4, { kernelConstraint: unitNorm() }) */
export const unitNorm = (axis: Axis = 0): Constraint =>
  Object.freeze({
    kind: 'UnitNorm' as const,
    config: Object.freeze({ axis: typeof axis === 'number' ? axis : [...axis] }),
    apply: (w: Tensor) => div(w, add(norms(w, axis), EPSILON))
  })

/** Non-negative weights: negative entries set to 0. @example dense(4, { kernelConstraint: nonNeg() }) */
export const nonNeg = (): Constraint =>
  Object.freeze({ kind: 'NonNeg' as const, config: Object.freeze({}), apply: (w: Tensor) => mul(w, compare(w, 0, 'ge')) })

const isAxis = (a: unknown): a is Axis => (typeof a === 'number' && Number.isInteger(a)) || (Array.isArray(a) && a.every((x) => typeof x === 'number' && Number.isInteger(x)))

/** Resolve a constraint option (`undefined`/`null`: none). */
export const resolveConstraint = (where: string, c: unknown): E.Either<TfError, Constraint | undefined> => {
  if (c === undefined || c === null) return E.right(undefined)
  if (c === 'maxNorm' || c === 'max_norm') return E.right(maxNorm())
  if (c === 'nonNeg' || c === 'non_neg') return E.right(nonNeg())
  if (c === 'unitNorm' || c === 'unit_norm') return E.right(unitNorm())
  if (c === 'minMaxNorm' || c === 'min_max_norm') return E.right(minMaxNorm())
  if (typeof c === 'object' && !Array.isArray(c)) {
    const o = c as { kind?: unknown; config?: unknown }
    const cfg = (typeof o.config === 'object' && o.config !== null ? o.config : {}) as Record<string, unknown>
    const bad = (k: string, expected: string): E.Either<TfError, never> =>
      E.left(tfError('InvalidOption', `${where}.config.${k}: expected ${expected}, received ${show(cfg[k])}`, { path: `${where}.config.${k}`, expected, received: cfg[k] }))
    const num = (k: string): boolean => cfg[k] === undefined || (typeof cfg[k] === 'number' && Number.isFinite(cfg[k] as number))
    if (cfg.axis !== undefined && !isAxis(cfg.axis)) return bad('axis', 'an integer or a list of integers')
    for (const k of ['maxValue', 'minValue', 'rate']) if (!num(k)) return bad(k, 'a finite number')
    const axis = cfg.axis as Axis | undefined
    if (o.kind === 'MaxNorm') return E.right(maxNorm(cfg.maxValue as number | undefined, axis))
    if (o.kind === 'UnitNorm') return E.right(unitNorm(axis))
    if (o.kind === 'NonNeg') return E.right(nonNeg())
    if (o.kind === 'MinMaxNorm') return E.right(minMaxNorm({ minValue: cfg.minValue as number | undefined, maxValue: cfg.maxValue as number | undefined, rate: cfg.rate as number | undefined, axis }))
  }
  return E.left(
    tfError('InvalidOption', `${where}: unknown constraint ${show(c)}; expected 'maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm', a constraint value or {kind, config}`, {
      path: where,
      expected: ['maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm'],
      received: c
    })
  )
}

/** The JSON form of a constraint. */
export const constraintJson = (c: Constraint): Json => ({ kind: c.kind, config: c.config })

// ---------------------------------------------------------------------------------------------------
// the helper every layer with weights calls

/** Keras's weight options of a layer with a `kernel` and a `bias`. */
export interface KernelWeightOptions {
  readonly kernelRegularizer?: RegularizerLike
  readonly biasRegularizer?: RegularizerLike
  /** a penalty on the layer's output, divided by the batch size (Keras's `activity_regularizer`) */
  readonly activityRegularizer?: RegularizerLike
  readonly kernelConstraint?: ConstraintLike
  readonly biasConstraint?: ConstraintLike
}

/** The weight options of a layer, resolved. */
export interface WeightOptions {
  readonly regularizers: { readonly [param: string]: Regularizer }
  readonly constraints: { readonly [param: string]: Constraint }
  readonly activityRegularizer: Regularizer | undefined
  /** the JSON to spread into the layer's config (only the options that are set) */
  readonly config: { readonly [k: string]: Json }
  /** the option names this layer accepts (`kernelRegularizer`, …, `activityRegularizer`) */
  readonly keys: ReadonlyArray<string>
}

/** The option names of {@link weightOptions} for a prefix table (for `checkOptions`). */
export const weightOptionKeys = (prefixes: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...prefixes.flatMap((p) => [`${p}Regularizer`, `${p}Constraint`]),
  'activityRegularizer'
]

/**
 * Resolve `<prefix>Regularizer` / `<prefix>Constraint` for each `prefix -> param key` entry, and
 * `activityRegularizer`.
 * @example weightOptions('dense', opts, { kernel: 'kernel', bias: 'bias' })
 */
export const weightOptions = (where: string, opts: unknown, params: { readonly [prefix: string]: string }): E.Either<TfError, WeightOptions> => {
  const o = (typeof opts === 'object' && opts !== null ? opts : {}) as Record<string, unknown>
  const regularizers: Record<string, Regularizer> = {}
  const constraints: Record<string, Constraint> = {}
  const config: Record<string, Json> = {}
  for (const [prefix, param] of Object.entries(params)) {
    const r = resolveRegularizer(`${where}.${prefix}Regularizer`, o[`${prefix}Regularizer`])
    if (E.isLeft(r)) return r
    if (r.right !== undefined) {
      regularizers[param] = r.right
      config[`${prefix}Regularizer`] = regularizerJson(r.right)
    }
    const c = resolveConstraint(`${where}.${prefix}Constraint`, o[`${prefix}Constraint`])
    if (E.isLeft(c)) return c
    if (c.right !== undefined) {
      constraints[param] = c.right
      config[`${prefix}Constraint`] = constraintJson(c.right)
    }
  }
  const a = resolveRegularizer(`${where}.activityRegularizer`, o.activityRegularizer)
  if (E.isLeft(a)) return a
  if (a.right !== undefined) config.activityRegularizer = regularizerJson(a.right)
  return E.right({
    regularizers: Object.freeze(regularizers),
    constraints: Object.freeze(constraints),
    activityRegularizer: a.right,
    config: Object.freeze(config),
    keys: weightOptionKeys(Object.keys(params))
  })
}
