/**
 * Training laws: compiled execution (`runEagerly: false`, the recorded and replayed step) trains to the
 * same weights as eager execution, within float32 tolerance, for any model and data.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { dataSync, type Tensor } from '../src/core/Tensor.js'
import * as Tree from '../src/core/Tree.js'
import type { ModelLike } from '../src/layers/Model.js'
import * as Trainer from '../src/train/index.js'
import type { CompileOptionsInput, FitOptionsInput } from '../src/train/options.js'

/** Outcome of {@link compiledMatchesEager}. */
export interface CompiledEagerReport {
  readonly ok: boolean
  /** largest |compiled − eager| / (1e-6 + |eager|·1e-3 …) ratio; ok when ≤ 1 */
  readonly worst: number
  readonly maxAbsDiff: number
}

/**
 * Fit the same model on the same data twice — eagerly and compiled — and compare every weight:
 * |compiled − eager| ≤ atol + rtol·|eager| (defaults 1e-5 and 1e-4).
 */
export const compiledMatchesEager = async (
  model: ModelLike,
  compile: Omit<CompileOptionsInput, 'runEagerly'>,
  x: Tensor,
  y: Tensor,
  fit: FitOptionsInput,
  tol: { readonly atol?: number; readonly rtol?: number } = {}
): Promise<CompiledEagerReport> => {
  const atol = tol.atol ?? 1e-5
  const rtol = tol.rtol ?? 1e-4
  const train = async (runEagerly: boolean): Promise<number[]> => {
    const t = Trainer.compile(model, { ...compile, runEagerly } as CompileOptionsInput)
    if (E.isLeft(t)) throw new Error(t.left.message)
    const r = await Trainer.fit(t.right, x, y, { verbose: 0, ...fit })()
    if (E.isLeft(r)) throw new Error(r.left.message)
    return Tree.leaves(r.right.trainer.params).flatMap((l) => Array.from(dataSync(l)))
  }
  const eager = await train(true)
  const compiled = await train(false)
  let worst = 0
  let maxAbsDiff = 0
  eager.forEach((v, i) => {
    const d = Math.abs(compiled[i] - v)
    maxAbsDiff = Math.max(maxAbsDiff, d)
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d / (atol + rtol * Math.abs(v)))
  })
  return { ok: compiled.length === eager.length && worst <= 1, worst, maxAbsDiff }
}
