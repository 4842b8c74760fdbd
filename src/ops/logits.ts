/**
 * @internal The logits behind the outputs of `softmax` (over the last axis) and `sigmoid`, as Keras 2.15
 * caches them on its activations' results (`output._keras_logits`): the crossentropies compute from
 * these logits instead of the probabilities (`losses/functions.ts`). A side table keyed by the output
 * value; nothing is written on the tensors themselves. Not part of the ops (`ops/index.ts` leaves it out).
 *
 * @since 0.3.0
 */
import type { Tensor } from '../core/Tensor.js'

export type LogitsKind = 'softmax' | 'sigmoid'

const logitsBehind = new WeakMap<Tensor, { readonly kind: LogitsKind; readonly logits: Tensor }>()

/** Note that `out` is `kind` of `logits`; returns `out`. */
export const remember = (kind: LogitsKind, out: Tensor, logits: Tensor): Tensor => {
  logitsBehind.set(out, { kind, logits })
  return out
}

/**
 * The logits `y` was computed from, when `y` is the very result of `softmax` over its last axis
 * (`kind: 'softmax'`) or of `sigmoid` (`kind: 'sigmoid'`); otherwise undefined.
 */
export const logitsOf = (y: Tensor, kind: LogitsKind): Tensor | undefined => {
  const e = logitsBehind.get(y)
  return e !== undefined && e.kind === kind ? e.logits : undefined
}
