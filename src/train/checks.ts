/**
 * @internal The checks of targets against the model, run before any step (no silent wrong answers):
 * each target's shape against its output's shape, and the values a built-in loss can take — integer
 * class ids in `[0, classes)` for sparse categorical crossentropy, values in `[0, 1]` for binary
 * crossentropy (see `losses/targets.ts` for the rules). In-memory data is checked whole before the
 * first step; an iterable's batches one by one, each before its step. Errors name the output, the
 * batch (for iterables and the batch functions), the sample and the position within it.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, isTensor, dataSync } from '../core/Tensor.js'
import { show } from '../core/errors.js'
import { targetRuleOf, type TargetRule } from '../losses/targets.js'
import type { Trainer } from './Trainer.js'
import { dataError, type TrainError } from './errors.js'

/** Host samples or a batch tensor. */
type Target = { readonly data: ArrayLike<number>; readonly shape: ReadonlyArray<number> } | Tensor

const RULE_TEXT: Record<TargetRule, string> = {
  sparse: 'sparse categorical crossentropy',
  binary: 'binary crossentropy',
  same: 'its loss'
}

/** Whether target sample shape `t` fits output sample shape `o` (null: any size), Keras's one-axis rule included. */
const fits = (t: ReadonlyArray<number>, o: ReadonlyArray<number | null>): boolean => {
  const eq = (a: ReadonlyArray<number>, b: ReadonlyArray<number | null>): boolean => a.length === b.length && b.every((d, i) => d === null || d === a[i])
  if (eq(t, o)) return true
  if (t.length === o.length + 1 && t[t.length - 1] === 1) return eq(t.slice(0, -1), o)
  if (o.length === t.length + 1 && o[o.length - 1] === 1) return eq(t, o.slice(0, -1))
  return false
}

/** The target sample shape(s) a rule accepts for output sample shape `o`, as text. */
const expectedText = (rule: TargetRule, o: ReadonlyArray<number | null>): string =>
  rule === 'sparse' ? `${show(o.slice(0, -1))} or ${show([...o.slice(0, -1), 1])} (class ids)` : show(o)

/**
 * @internal Check the targets `ys` (one per output, samples along the first axis) of a ready trainer.
 * `batch` names the batch for iterables and the batch functions.
 */
export const checkTargets = (t: Trainer, ys: ReadonlyArray<Target | undefined>, op: string, batch?: number): E.Either<TrainError, void> => {
  const m = t.model
  if (!m.built) return E.right(undefined)
  const multi = m.outputNames.length > 1
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i]
    const loss = t.config.losses[i]
    if (y === undefined || loss === undefined) continue
    const rule = targetRuleOf(loss)
    if (rule === undefined) continue
    const outShape = m.outputShapes[i]
    if (outShape === undefined) continue
    const o = outShape.slice(1)
    const s = y.shape.slice(1)
    const where = multi ? `y '${m.outputNames[i]}'` : 'y'
    const inBatch = batch === undefined ? '' : ` in batch ${batch}`
    const ok = rule === 'sparse' ? fits(s, o.slice(0, -1)) : fits(s, o)
    if (!ok)
      return E.left(
        dataError(
          'ShapeMismatch',
          `${op}: ${where} has samples of shape ${show(s)}${inBatch} but output '${m.outputNames[i]}' gives samples of shape ${show(o)}; ${RULE_TEXT[rule]} needs targets of shape ${expectedText(rule, o)}`,
          { op, where, ...(batch === undefined ? {} : { batch }), expected: rule === 'sparse' ? o.slice(0, -1) : o, actual: s }
        )
      )
    if (rule === 'same') continue
    const classes = o[o.length - 1]
    const data = isTensor(y) ? dataSync(y) : y.data
    const per = data.length / (y.shape[0] || 1)
    for (let k = 0; k < data.length; k++) {
      const v = data[k]
      const good = rule === 'binary' ? v >= 0 && v <= 1 : Number.isInteger(v) && v >= 0 && (classes === null || v < classes)
      if (good) continue
      const sample = Math.floor(k / per)
      const position = k - sample * per
      const needs = rule === 'binary' ? 'values in [0, 1]' : `integer class ids in [0, ${classes ?? 'classes'})`
      return E.left(
        dataError(
          'InvalidLabels',
          `${op}: ${where} has the label ${v}${inBatch} at sample ${sample}${per > 1 ? `, position ${position}` : ''}: ${RULE_TEXT[rule]} needs ${needs}`,
          { op, where, ...(batch === undefined ? {} : { batch }), index: sample, position, expected: needs, received: v }
        )
      )
    }
  }
  return E.right(undefined)
}
