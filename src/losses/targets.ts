/**
 * @internal What each built-in loss needs of its targets, so that `fit`/`evaluate` can refuse targets
 * that would train silently on a wrong answer (a loss of 0 for a class id out of range, broadcasting
 * between shapes that do not match):
 * - `'sparse'`: integer class ids in `[0, classes)`, of the output's shape without its class axis (or
 *   with 1 there) — sparse categorical crossentropy;
 * - `'binary'`: values in `[0, 1]`, of the output's shape — binary crossentropy;
 * - `'same'`: the output's shape — every other built-in loss.
 * Shapes match after Keras's rule: ranks that differ by one where the longer ends in 1 (`[n]` for
 * `[n, 1]`). A loss written by the user has no rule: its targets are its own business.
 *
 * @since 0.3.0
 */
import * as F from './functions.js'
import { builtFrom } from './reduction.js'

/** @internal See the module header. */
export type TargetRule = 'sparse' | 'binary' | 'same'

type Fn = (...args: never[]) => unknown

const rules = new WeakMap<Fn, TargetRule>([
  [F.sparseCategoricalCrossentropy as Fn, 'sparse'],
  [F.binaryCrossentropy as Fn, 'binary'],
  ...[
    F.meanSquaredError, F.meanAbsoluteError, F.meanAbsolutePercentageError, F.meanSquaredLogarithmicError, F.categoricalCrossentropy, F.hinge, F.squaredHinge,
    F.categoricalHinge, F.huber, F.logCosh, F.klDivergence, F.poisson, F.cosineSimilarity
  ].map((f) => [f as Fn, 'same'] as const)
])

/** @internal The rule of the loss `canonical` (a Keras name), for a function made from that name. */
export const ruleOfName = (canonical: string): TargetRule =>
  canonical === 'sparse_categorical_crossentropy' ? 'sparse' : canonical === 'binary_crossentropy' ? 'binary' : 'same'

/** @internal Give `f` (built from a built-in loss) that loss's rule; returns `f`. */
export const withTargetRule = <T extends Fn>(f: T, rule: TargetRule): T => {
  rules.set(f, rule)
  return f
}

/** @internal The target rule of a loss given to compile: built-in ones (by name, as functions, with a reduction), else undefined. */
export const targetRuleOf = (loss: Fn): TargetRule | undefined => {
  const perSample = F.reductionOf(loss as never).perSample
  return rules.get(loss) ?? rules.get(perSample as Fn) ?? rules.get(builtFrom(perSample) as Fn)
}
