/**
 * Learning-rate schedules: pure functions of the step (0 for the first update), as in Keras's
 * `keras.optimizers.schedules`. A schedule takes a number and gives a number, or takes a scalar Tensor
 * and gives a scalar Tensor; the optimizers call the Tensor form with the step count from their state,
 * so a recorded training step stays correct when replayed.
 *
 * Laws: `s(n) = item(s(scalar(n)))`; `constant(v)(n) = v`; each schedule equals its formula below.
 *
 * @since 0.1.0
 */
import { type Tensor, scalar, item, isTensor } from '../core/Tensor.js'
import { fail, show } from '../core/errors.js'
import { add, mul, div, pow, minimum, maximum, compare, where, cast, cos } from '../primitives/index.js'
import { sub } from '../ops/arithmetic.js'

/**
 * A learning-rate schedule: number in, number out; scalar Tensor in, scalar Tensor out.
 * @example exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5 })(200) // 0.025
 */
export interface Schedule {
  (step: number): number
  (step: Tensor): Tensor
}

/** A learning rate: a constant or a function of the step count (a {@link Schedule}, or any `(step: Tensor) => Tensor`). */
export type LearningRate = number | ((step: Tensor) => Tensor)

/** Make a {@link Schedule} from its Tensor form. */
export const schedule = (f: (step: Tensor) => Tensor): Schedule =>
  ((step: number | Tensor) => (isTensor(step) ? f(step) : item(f(scalar(step))))) as Schedule

/** @internal the value of a learning rate at a step, as a scalar tensor. */
export const learningRateAt = (lr: LearningRate, step: Tensor): Tensor => (typeof lr === 'number' ? scalar(lr) : lr(step))

const need = (op: string, name: string, v: unknown, ok: (n: number) => boolean, what: string): number => {
  if (typeof v !== 'number' || !ok(v)) fail('InvalidOption', `${op}: expected ${name} to be ${what}, received ${show(v)}`, { op, path: name, expected: what, received: v })
  return v as number
}
const finite = (n: number): boolean => Number.isFinite(n)
const positive = (n: number): boolean => Number.isFinite(n) && n > 0
const nonNegative = (n: number): boolean => Number.isFinite(n) && n >= 0

// floor for the non-negative values schedules see (int32 cast truncates toward zero)
const floorNonNeg = (x: Tensor): Tensor => cast(cast(x, 'int32'), 'float32')

/** Options of {@link exponentialDecay} (Keras `ExponentialDecay`). */
export interface ExponentialDecayOptions {
  readonly initialLearningRate: number
  readonly decaySteps: number
  readonly decayRate: number
  /** Decay in whole intervals (`floor(step / decaySteps)`). Default false. */
  readonly staircase?: boolean
}

/**
 * `initialLearningRate · decayRate^(step / decaySteps)` (the exponent floored when `staircase`).
 * @example exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, staircase: true })(15) // 0.09
 */
export const exponentialDecay = (o: ExponentialDecayOptions): Schedule => {
  const lr0 = need('exponentialDecay', 'initialLearningRate', o.initialLearningRate, finite, 'a finite number')
  const steps = need('exponentialDecay', 'decaySteps', o.decaySteps, positive, 'a positive number')
  const rate = need('exponentialDecay', 'decayRate', o.decayRate, positive, 'a positive number')
  return schedule((step) => {
    const p = div(step, steps)
    return mul(lr0, pow(rate, o.staircase === true ? floorNonNeg(p) : p))
  })
}

/** Options of {@link cosineDecay} (Keras `CosineDecay`). */
export interface CosineDecayOptions {
  readonly initialLearningRate: number
  readonly decaySteps: number
  /** The floor, as a fraction of the rate decayed from. Default 0. */
  readonly alpha?: number
  /** With `warmupSteps`: rise linearly from `initialLearningRate` to this first, then decay from it. */
  readonly warmupTarget?: number
  /** Steps of linear warmup before the decay (Keras). Default 0. */
  readonly warmupSteps?: number
}

/**
 * Cosine decay: `lr · ((1 − α) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + α)`; with
 * `warmupTarget` and `warmupSteps`, a linear warmup from `initialLearningRate` to `warmupTarget` first
 * (Keras 3 semantics: the decay then runs over the `decaySteps` after the warmup, from `warmupTarget`).
 * @example cosineDecay({ initialLearningRate: 1, decaySteps: 100 })(50) // 0.5
 */
export const cosineDecay = (o: CosineDecayOptions): Schedule => {
  const lr0 = need('cosineDecay', 'initialLearningRate', o.initialLearningRate, finite, 'a finite number')
  const steps = need('cosineDecay', 'decaySteps', o.decaySteps, positive, 'a positive number')
  const alpha = need('cosineDecay', 'alpha', o.alpha ?? 0, finite, 'a finite number')
  const warm = need('cosineDecay', 'warmupSteps', o.warmupSteps ?? 0, nonNegative, 'a non-negative number')
  const target = o.warmupTarget === undefined ? undefined : need('cosineDecay', 'warmupTarget', o.warmupTarget, finite, 'a finite number')
  const decayFrom = target ?? lr0
  const decay = (s: Tensor): Tensor => {
    const t = div(minimum(maximum(s, 0), steps), steps)
    const cosine = mul(0.5, add(1, cos(mul(t, Math.PI))))
    return mul(decayFrom, add(mul(1 - alpha, cosine), alpha))
  }
  if (target === undefined || warm === 0) return schedule(decay)
  return schedule((step) => {
    const warmup = add(lr0, mul(target - lr0, div(step, warm)))
    return where(compare(step, warm, 'lt'), warmup, decay(sub(step, warm)))
  })
}

/** Options of {@link piecewiseConstant} (Keras `PiecewiseConstantDecay`). */
export interface PiecewiseConstantOptions {
  /** Increasing step boundaries. */
  readonly boundaries: ReadonlyArray<number>
  /** One more value than boundaries: `values[0]` while `step ≤ boundaries[0]`, …, the last after the last boundary. */
  readonly values: ReadonlyArray<number>
}

/**
 * A step function: `values[i]` for `boundaries[i-1] < step ≤ boundaries[i]` (Keras's boundary rule).
 * @example piecewiseConstant({ boundaries: [100, 200], values: [1, 0.5, 0.1] })(150) // 0.5
 */
export const piecewiseConstant = (o: PiecewiseConstantOptions): Schedule => {
  const b = o.boundaries
  const v = o.values
  if (!Array.isArray(b) || !Array.isArray(v) || v.length !== b.length + 1 || ![...b, ...v].every((n) => typeof n === 'number' && Number.isFinite(n)))
    fail('InvalidOption', `piecewiseConstant: expected finite boundaries and one more value than boundaries, received ${show(b)} and ${show(v)}`, {
      op: 'piecewiseConstant',
      path: 'values',
      expected: 'values.length = boundaries.length + 1',
      received: { boundaries: b, values: v }
    })
  for (let i = 1; i < b.length; i++)
    if (!(b[i] > b[i - 1])) fail('InvalidOption', `piecewiseConstant: boundaries must increase, received ${show(b)}`, { op: 'piecewiseConstant', path: 'boundaries', expected: 'increasing', received: b })
  // nested selects (not a sum of jumps) so each piece is its value exactly
  return schedule((step) => b.reduce<Tensor>((acc, bi, i) => where(compare(step, bi, 'gt'), v[i + 1], acc), scalar(v[0])))
}

/** Options of {@link linearWarmup}. */
export interface LinearWarmupOptions {
  /** Where the warmup starts. Default 0. */
  readonly initialLearningRate?: number
  /** Where it ends and stays. */
  readonly targetLearningRate: number
  readonly warmupSteps: number
}

/**
 * Rise linearly from `initialLearningRate` to `targetLearningRate` over `warmupSteps`, then stay.
 * @example linearWarmup({ targetLearningRate: 1e-3, warmupSteps: 100 })(50) // 5e-4
 */
export const linearWarmup = (o: LinearWarmupOptions): Schedule => {
  const lr0 = need('linearWarmup', 'initialLearningRate', o.initialLearningRate ?? 0, finite, 'a finite number')
  const target = need('linearWarmup', 'targetLearningRate', o.targetLearningRate, finite, 'a finite number')
  const warm = need('linearWarmup', 'warmupSteps', o.warmupSteps, positive, 'a positive number')
  return schedule((step) => add(lr0, mul(target - lr0, div(minimum(maximum(step, 0), warm), warm))))
}

/** Options of {@link warmupCosineDecay}. */
export interface WarmupCosineDecayOptions {
  /** Where the warmup starts. Default 0. */
  readonly initialLearningRate?: number
  /** The rate at the end of the warmup, where the decay starts. */
  readonly peakLearningRate: number
  readonly warmupSteps: number
  /** Steps of cosine decay after the warmup. */
  readonly decaySteps: number
  /** The floor as a fraction of the peak. Default 0. */
  readonly alpha?: number
}

/**
 * Linear warmup to `peakLearningRate`, then cosine decay over `decaySteps` (Keras's `CosineDecay` with
 * `warmup_target`).
 * @example warmupCosineDecay({ peakLearningRate: 1e-3, warmupSteps: 10, decaySteps: 90 })(5) // 5e-4
 */
export const warmupCosineDecay = (o: WarmupCosineDecayOptions): Schedule =>
  cosineDecay({
    initialLearningRate: o.initialLearningRate ?? 0,
    warmupTarget: o.peakLearningRate,
    warmupSteps: need('warmupCosineDecay', 'warmupSteps', o.warmupSteps, positive, 'a positive number'),
    decaySteps: o.decaySteps,
    alpha: o.alpha
  })

/** A schedule that is always `value`. @example constant(0.01)(1000) // 0.01 */
export const constant = (value: number): Schedule => {
  const v = need('constant', 'value', value, finite, 'a finite number')
  return schedule(() => scalar(v))
}
