/**
 * "Did you mean …?" (src/core/nearest.ts): a typo gets its suggestion, an unrelated name gets none,
 * through the resolvers that users meet (optimizers, losses).
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { levenshtein, nearest } from '../../src/core/nearest.js'
import { optimizerFromName } from '../../src/optimizers/alias.js'
import { lossFromName } from '../../src/losses/index.js'

describe('nearest', () => {
  it('suggests the nearest name for a typo, and nothing for a name far from every candidate', () => {
    expect(nearest('adamm', ['sgd', 'adam', 'adamw'])).toBe('adam')
    expect(nearest('Mean_Squared_Error', ['meanSquaredError', 'mae'])).toBe('meanSquaredError')
    expect(nearest('zzzzzzzzzz', ['sgd', 'adam', 'rmsprop'])).toBeUndefined()
    // the default cap is half the (loosened) name's length, at least 2
    expect(nearest('ab', ['cd'])).toBe('cd')
    expect(nearest('abcd', ['abxy'])).toBe('abxy')
    expect(nearest('abcd', ['axyz'])).toBeUndefined()
    // an explicit limit still wins
    expect(nearest('zzzzzzzzzz', ['sgd'], { maxDistance: Infinity })).toBe('sgd')
    expect(nearest('adamm', ['adam'], { maxDistance: 0 })).toBeUndefined()
  })

  it('never suggests a candidate farther than the cap, and always suggests an exact member', () => {
    const word = fc.string({ minLength: 1, maxLength: 12 })
    fc.assert(
      fc.property(word, fc.array(word, { minLength: 1, maxLength: 6 }), (name, cs) => {
        const near = nearest(name, cs, { loose: false })
        if (cs.includes(name)) expect(near).toBe(name)
        if (near !== undefined) expect(levenshtein(name, near)).toBeLessThanOrEqual(Math.max(2, Math.ceil(name.length / 2)))
      })
    )
  })

  it("reaches the optimizer and loss resolvers' messages", () => {
    const far = optimizerFromName('zzzzzzzzzz')
    expect(E.isLeft(far) && far.left.message).not.toMatch(/did you mean/)
    expect(E.isLeft(far) && (far.left as { nearest?: string }).nearest).toBeUndefined()
    const typo = optimizerFromName('adamm')
    expect(E.isLeft(typo) && typo.left.message).toMatch(/did you mean 'adam'\?/)
    const loss = lossFromName('qqqqqqqqqqqqqqqqqqqq')
    expect(E.isLeft(loss) && loss.left.message).not.toMatch(/did you mean/)
    const lossTypo = lossFromName('mean_sqared_error')
    expect(E.isLeft(lossTypo) && lossTypo.left.message).toMatch(/did you mean 'mean_squared_error'\?/)
  })
})
