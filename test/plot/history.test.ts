import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { plotHistory, TensorfoldError } from '../../src/index.js'

describe('plotHistory', () => {
  it('draws one line per series with one point per epoch, and a legend', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 10, noNaN: true }), { minLength: 1, maxLength: 30 }), (loss) => {
        const val = loss.map((v) => v * 1.1)
        const svg = plotHistory({ history: { loss, val_loss: val }, epoch: loss.map((_, i) => i) }, { title: 'a < b' })
        expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
        expect((svg.match(/<polyline/g) ?? []).length).toBe(2)
        expect((svg.match(/<circle/g) ?? []).length).toBe(2 * loss.length)
        expect(svg).toContain('>val_loss<')
        expect(svg).toContain('a &lt; b')
        expect(svg).not.toContain('NaN')
      })
    )
  })
  it('puts larger values higher', () => {
    const svg = plotHistory({ loss: [1, 2] })
    const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]))
    expect(ys[1]).toBeLessThan(ys[0])
  })
  it('rejects a series that is not numbers, naming it', () => {
    expect(() => plotHistory({ loss: ['a'] as never })).toThrow(TensorfoldError)
    expect(() => plotHistory({ loss: ['a'] as never })).toThrow(/history\.loss/)
  })
})
