/**
 * Metric laws (DESIGN §7): a metric is a monoid over batches. Pure predicates over given batches and
 * states, and fast-check drivers with batch generators for each kind of target.
 *
 * - unit: `concat(empty, s) = s = concat(s, empty)`;
 * - associativity: `concat(concat(a, b), c) = concat(a, concat(b, c))`;
 * - homomorphism: `update(empty, b₁ ++ b₂) = concat(update(empty, b₁), update(empty, b₂))`, and the
 *   fold agrees: `update(update(empty, b₁), b₂)` is the same state.
 *
 * States are compared number by number with a small relative tolerance (sums of floats in another
 * order round differently).
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { type Tensor, tensor } from '../src/core/Tensor.js'
import { concat } from '../src/primitives/index.js'
import type { Metric } from '../src/metrics/index.js'

/** One batch: targets, predictions and optional sample weights (first axis = samples). */
export interface Batch {
  readonly yTrue: Tensor
  readonly yPred: Tensor
  readonly sampleWeight?: Tensor
}

/** Two batches as one (along the sample axis). */
export const concatBatches = (a: Batch, b: Batch): Batch => ({
  yTrue: concat([a.yTrue, b.yTrue], 0),
  yPred: concat([a.yPred, b.yPred], 0),
  sampleWeight: a.sampleWeight !== undefined && b.sampleWeight !== undefined ? concat([a.sampleWeight, b.sampleWeight], 0) : undefined
})

/** Deep numeric equality of two states (numbers, arrays, records) within `atol + rtol·|b|`. */
export const statesClose = (a: unknown, b: unknown, rtol = 1e-9, atol = 1e-9): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= atol + rtol * Math.abs(b) || (Number.isNaN(a) && Number.isNaN(b))
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => statesClose(x, b[i], rtol, atol))
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort()
    const kb = Object.keys(b).sort()
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && statesClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rtol, atol))
  }
  return a === b
}

const upd = <S>(m: Metric<S>, s: S, b: Batch): S => m.update(s, b.yTrue, b.yPred, b.sampleWeight)

/** `empty` is a unit of `concat` on both sides. */
export const metricUnitLaw = <S>(m: Metric<S>, s: S): boolean => statesClose(m.concat(m.empty, s), s) && statesClose(m.concat(s, m.empty), s)

/** `concat` is associative. */
export const metricAssociativityLaw = <S>(m: Metric<S>, a: S, b: S, c: S): boolean => statesClose(m.concat(m.concat(a, b), c), m.concat(a, m.concat(b, c)))

/** The state over `b₁ ++ b₂` is the concat of the per-batch states, and the fold over both batches. */
export const metricHomomorphismLaw = <S>(m: Metric<S>, b1: Batch, b2: Batch, rtol = 1e-9): boolean => {
  const whole = upd(m, m.empty, concatBatches(b1, b2))
  const parts = m.concat(upd(m, m.empty, b1), upd(m, m.empty, b2))
  const folded = upd(m, upd(m, m.empty, b1), b2)
  return statesClose(parts, whole, rtol) && statesClose(folded, whole, rtol) && statesClose(m.result(parts), m.result(whole), rtol, 1e-9)
}

/** What a metric's targets look like. */
export type BatchKind = 'regression' | 'binary' | 'categorical' | 'sparse' | 'positive'

/** Options of {@link batchArb}. */
export interface BatchOptions {
  /** Classes (or values per sample for regression). Default 3. */
  readonly classes?: number
  /** Generate sample weights. Default: sometimes. */
  readonly weighted?: boolean
  /** Largest batch. Default 5. */
  readonly maxBatch?: number
}

const vals = (n: number, lo: number, hi: number): fc.Arbitrary<number[]> => fc.array(fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })

/**
 * Random batches of a kind with `batch` samples: regression `[b, k]` values; binary `[b, 1]` 0/1 targets
 * and probabilities; categorical one-hot `[b, k]` and probability rows; sparse ids `[b]` and rows;
 * positive `[b, k]` values in (0, 1] (for log-based metrics).
 */
export const batchArbOfSize = (kind: BatchKind, batch: number, o: BatchOptions = {}): fc.Arbitrary<Batch> => {
  const k = o.classes ?? 3
  const weights: fc.Arbitrary<Tensor | undefined> =
    o.weighted === false
      ? fc.constant(undefined)
      : o.weighted === true
        ? fc.array(fc.integer({ min: 0, max: 4 }), { minLength: batch, maxLength: batch }).map((w) => tensor(w))
        : fc.option(
            fc.array(fc.integer({ min: 0, max: 4 }), { minLength: batch, maxLength: batch }).map((w) => tensor(w)),
            { nil: undefined }
          )
  const probsRows = vals(batch * k, 0.01, 1).map((v) => {
    const out = v.slice()
    for (let i = 0; i < batch; i++) {
      let s = 0
      for (let j = 0; j < k; j++) s += out[i * k + j]
      for (let j = 0; j < k; j++) out[i * k + j] /= s
    }
    return tensor(out, [batch, k])
  })
  const ids = fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: batch, maxLength: batch })
  const withW = (a: fc.Arbitrary<[Tensor, Tensor]>): fc.Arbitrary<Batch> => fc.tuple(a, weights).map(([[yTrue, yPred], sampleWeight]) => ({ yTrue, yPred, sampleWeight }))
  switch (kind) {
    case 'regression':
      return withW(fc.tuple(vals(batch * k, -3, 3), vals(batch * k, -3, 3)).map(([t, p]) => [tensor(t, [batch, k]), tensor(p, [batch, k])]))
    case 'positive':
      return withW(fc.tuple(vals(batch * k, 0.01, 1), vals(batch * k, 0.01, 1)).map(([t, p]) => [tensor(t, [batch, k]), tensor(p, [batch, k])]))
    case 'binary':
      return withW(
        fc.tuple(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: batch, maxLength: batch }), vals(batch, 0, 1)).map(([t, p]) => [tensor(t, [batch, 1]), tensor(p, [batch, 1])])
      )
    case 'categorical':
      return withW(fc.tuple(ids, probsRows).map(([t, p]) => [tensor(t.flatMap((c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0))), [batch, k]), p]))
    case 'sparse':
      return withW(fc.tuple(ids, probsRows).map(([t, p]) => [tensor(t), p]))
  }
}

/** Random batches of a kind and random size (1..maxBatch). */
export const batchArb = (kind: BatchKind, o: BatchOptions = {}): fc.Arbitrary<Batch> =>
  fc.integer({ min: 1, max: o.maxBatch ?? 5 }).chain((b) => batchArbOfSize(kind, b, o))

/** Two batches of one kind whose weights are both present or both absent. */
export const batchPairArb = (kind: BatchKind, o: BatchOptions = {}): fc.Arbitrary<readonly [Batch, Batch]> =>
  fc
    .tuple(fc.integer({ min: 1, max: o.maxBatch ?? 5 }), fc.integer({ min: 1, max: o.maxBatch ?? 5 }), o.weighted === undefined ? fc.boolean() : fc.constant(o.weighted))
    .chain(([n1, n2, weighted]) => fc.tuple(batchArbOfSize(kind, n1, { ...o, weighted }), batchArbOfSize(kind, n2, { ...o, weighted })))

/**
 * Check the monoid laws of a metric on random batches of a kind (throws on a counterexample).
 * @example checkMetricLaws(categoricalAccuracy(), 'categorical')
 */
export const checkMetricLaws = <S>(m: Metric<S>, kind: BatchKind, o: BatchOptions & { readonly numRuns?: number; readonly seed?: number; readonly rtol?: number } = {}): void => {
  fc.assert(
    fc.property(batchPairArb(kind, o), batchArb(kind, { ...o, weighted: false }), ([b1, b2], b3) => {
      const s1 = upd(m, m.empty, b1)
      const s2 = upd(m, m.empty, b2)
      const s3 = upd(m, m.empty, b3)
      return metricUnitLaw(m, s1) && metricAssociativityLaw(m, s1, s2, s3) && metricHomomorphismLaw(m, b1, b2, o.rtol ?? 1e-9)
    }),
    { numRuns: o.numRuns ?? 15, seed: o.seed }
  )
}
