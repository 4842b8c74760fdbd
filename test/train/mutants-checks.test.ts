/**
 * Tests that kill StrykerJS mutants of `src/train/checks.ts` which survived `test/train` (issue 9 item 7;
 * docs/laws.md, "Mutation testing", group g2): `checkTargets` on each rule, with the exact message and
 * error data (the output, the batch, the sample and the position).
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor } from '../../src/index.js'
import * as F from '../../src/losses/functions.js'
import type { Trainer } from '../../src/train/Trainer.js'
import { checkTargets } from '../../src/train/checks.js'

type Out = readonly [name: string, shape: ReadonlyArray<number | null>, loss: unknown]
/** What `checkTargets` reads of a trainer: the built model's outputs and the losses. */
const trainer = (outs: ReadonlyArray<Out>, built = true): Trainer =>
  ({ model: { built, outputNames: outs.map((o) => o[0]), outputShapes: outs.map((o) => o[1]) }, config: { losses: outs.map((o) => o[2]) } }) as unknown as Trainer
const host = (data: number[], shape: number[]) => ({ data, shape })
const left = (r: E.Either<{ message: string }, void>) => {
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left as { message: string; [k: string]: unknown }
}
const mse = F.meanSquaredError
const sparse = F.sparseCategoricalCrossentropy
const binary = F.binaryCrossentropy

describe('checkTargets: shapes', () => {
  it('a mismatch names the op, the target, the output and the rule; the batch only when given', () => {
    const t = trainer([['y', [null, 1], mse]])
    const e = left(checkTargets(t, [host([1, 2, 3, 4], [2, 2])], 'fit'))
    expect(e.message).toBe("fit: y has samples of shape [2] but output 'y' gives samples of shape [1]; its loss needs targets of shape [1]")
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', op: 'fit', where: 'y', expected: [1], actual: [2] })
    expect('batch' in e).toBe(false)
    const b = left(checkTargets(t, [host([1, 2, 3, 4], [2, 2])], 'fit', 4))
    expect(b.message).toBe("fit: y has samples of shape [2] in batch 4 but output 'y' gives samples of shape [1]; its loss needs targets of shape [1]")
    expect(b).toMatchObject({ batch: 4 })
  })
  it('several outputs: the target is named by its output, and only the one at fault', () => {
    const t = trainer([['a', [null, 1], mse], ['b', [null, 2], binary]])
    const e = left(checkTargets(t, [host([1, 2], [2, 1]), host([0, 1, 1], [3, 1])], 'evaluate'))
    expect(e.message).toBe("evaluate: y 'b' has samples of shape [1] but output 'b' gives samples of shape [2]; binary crossentropy needs targets of shape [2]")
    expect(e).toMatchObject({ where: "y 'b'" })
  })
  it("sparse ids: the output's shape without its class axis, or with 1 there", () => {
    const t = trainer([['y', [null, 3], sparse]])
    expect(E.isRight(checkTargets(t, [host([0, 2], [2])], 'fit'))).toBe(true)
    expect(E.isRight(checkTargets(t, [host([0, 2], [2, 1])], 'fit'))).toBe(true)
    const e = left(checkTargets(t, [host([0, 0, 1, 0, 1, 0], [2, 3])], 'fit'))
    expect(e.message).toBe("fit: y has samples of shape [3] but output 'y' gives samples of shape [3]; sparse categorical crossentropy needs targets of shape [] or [1] (class ids)")
    expect(e).toMatchObject({ expected: [], actual: [3] })
  })
  it("Keras's one-axis rule both ways, and a null (any size) axis of the output", () => {
    expect(E.isRight(checkTargets(trainer([['y', [null, 1], mse]]), [host([1, 2], [2])], 'fit'))).toBe(true)
    expect(E.isRight(checkTargets(trainer([['y', [null], mse]]), [host([1, 2], [2, 1])], 'fit'))).toBe(true)
    expect(E.isRight(checkTargets(trainer([['y', [null, null, 2], mse]]), [host(new Array(12).fill(0), [2, 3, 2])], 'fit'))).toBe(true)
    // a longer target whose last axis is not 1, a shorter one where the output's last axis is not 1
    expect(E.isLeft(checkTargets(trainer([['y', [null, 2], mse]]), [host(new Array(8).fill(0), [2, 2, 2])], 'fit'))).toBe(true)
    expect(E.isLeft(checkTargets(trainer([['y', [null, 2, 2], mse]]), [host(new Array(4).fill(0), [2, 2])], 'fit'))).toBe(true)
    expect(E.isLeft(checkTargets(trainer([['y', [null, 3, 1], mse]]), [host(new Array(4).fill(0), [2, 2])], 'fit'))).toBe(true)
  })
  it('skipped: a model not built, an output without targets or without a loss, a loss of the user (no rule)', () => {
    const bad = [host([1, 2, 3, 4], [2, 2])]
    expect(E.isRight(checkTargets(trainer([['y', [null, 1], mse]], false), bad, 'fit'))).toBe(true)
    expect(E.isRight(checkTargets(trainer([['y', [null, 1], mse]]), [undefined], 'fit'))).toBe(true)
    expect(E.isRight(checkTargets(trainer([['y', [null, 1], undefined]]), bad, 'fit'))).toBe(true)
    expect(E.isRight(checkTargets(trainer([['y', [null, 1], (a: unknown) => a]]), bad, 'fit'))).toBe(true)
    // the next output is still checked
    expect(E.isLeft(checkTargets(trainer([['a', [null, 1], undefined], ['b', [null, 1], mse]]), [bad[0], bad[0]], 'fit'))).toBe(true)
  })
})

describe('checkTargets: values', () => {
  it('sparse: integer ids in [0, classes) — the sample, and the position within a sample of several ids', () => {
    const t = trainer([['y', [null, 3], sparse]])
    expect(E.isRight(checkTargets(t, [host([0, 1, 2], [3])], 'fit'))).toBe(true)
    for (const [v, k] of [[3, 1], [-1, 2], [1.5, 0], [NaN, 1]] as const) {
      const data = [0, 0, 0]
      data[k] = v
      const e = left(checkTargets(t, [host(data, [3])], 'fit', 1))
      expect(e.message).toBe(`fit: y has the label ${v} in batch 1 at sample ${k}: sparse categorical crossentropy needs integer class ids in [0, 3)`)
      expect(e).toMatchObject({ _tag: 'InvalidLabels', where: 'y', batch: 1, index: k, position: 0, expected: 'integer class ids in [0, 3)' })
      expect(Object.is(e.received, v)).toBe(true)
    }
    // a sequence: 4 ids per sample; the label 3 is sample 1, position 1
    const seq = trainer([['y', [null, 4, 3], sparse]])
    const e = left(checkTargets(seq, [tensor([[0, 1, 2, 0], [1, 3, 0, 0]])], 'evaluate'))
    expect(e.message).toBe('evaluate: y has the label 3 at sample 1, position 1: sparse categorical crossentropy needs integer class ids in [0, 3)')
    expect(e).toMatchObject({ index: 1, position: 1, received: 3 })
    expect('batch' in e).toBe(false)
  })
  it('sparse with an unknown number of classes: any integer id from 0', () => {
    const t = trainer([['y', [null, null], sparse]])
    expect(E.isRight(checkTargets(t, [host([0, 7, 1000], [3])], 'fit'))).toBe(true)
    expect(left(checkTargets(t, [host([0, -2, 1], [3])], 'fit')).message).toBe('fit: y has the label -2 at sample 1: sparse categorical crossentropy needs integer class ids in [0, classes)')
  })
  it('binary: values in [0, 1], the ends included; position within a sample', () => {
    const t = trainer([['y', [null, 2], binary]])
    expect(E.isRight(checkTargets(t, [host([0, 1, 0.5, 1], [2, 2])], 'fit'))).toBe(true)
    for (const v of [1.0001, -0.5]) {
      const e = left(checkTargets(t, [host([0, 1, 1, v], [2, 2])], 'fit'))
      expect(e.message).toBe(`fit: y has the label ${v} at sample 1, position 1: binary crossentropy needs values in [0, 1]`)
      expect(e).toMatchObject({ index: 1, position: 1, expected: 'values in [0, 1]' })
    }
  })
  it('other losses take any value', () => {
    expect(E.isRight(checkTargets(trainer([['y', [null, 1], mse]]), [host([-5, 1e9, 0.3], [3, 1])], 'fit'))).toBe(true)
  })
})

describe('checkTargets: StrykerJS g2', () => {
  it("Keras's one-axis rule: a target ending in 1 that is one axis shorter than an output ending in 1 fits", () => {
    // target samples [1] against output samples [1, 1], [2, 1] against [2, 1, 1]: the output's last axis goes
    expect(E.isRight(checkTargets(trainer([['y', [null, 1, 1], mse]]), [host([1, 2], [2, 1])], 'fit'))).toBe(true)
    expect(E.isRight(checkTargets(trainer([['y', [null, 2, 1, 1], mse]]), [host([1, 2, 3, 4], [2, 2, 1])], 'fit'))).toBe(true)
  })
  it('a built model that lists no shape for an output (a ModelLike of the user\'s) is not checked there', () => {
    const t = { model: { built: true, outputNames: ['y'], outputShapes: [] }, config: { losses: [mse] } } as unknown as Trainer
    expect(E.isRight(checkTargets(t, [host([1, 2, 3, 4], [2, 2])], 'fit'))).toBe(true)
  })
})
