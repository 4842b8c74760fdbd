/** The tensor display: NumPy-style values in toString, util.inspect (REPL, tslab) and fc.stringify (counterexamples). */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { inspect } from 'node:util'
import { tensor, reshape, range, scalar, grad, sum, type Tensor } from '../../src/index.js'
import { formatTensor } from '../../src/core/format.js'

describe('tensor display', () => {
  it('shows shape, dtype and aligned values', () => {
    expect(String(tensor([[1, 2, 3], [4, 5, 6]]))).toBe('Tensor(shape=[2, 3], dtype=float32)\n[[1., 2., 3.],\n [4., 5., 6.]]')
    expect(String(tensor([1.5, -2.25, 3]))).toBe('Tensor(shape=[3], dtype=float32) [ 1.50, -2.25,  3.00]')
    expect(String(scalar(3.25))).toBe('Tensor(shape=[], dtype=float32) 3.25')
    expect(String(tensor([0.001, 123456]))).toBe('Tensor(shape=[2], dtype=float32) [1.0000e-03, 1.2346e+05]')
    expect(String(tensor([NaN, Infinity, -1]))).toBe('Tensor(shape=[3], dtype=float32) [nan, inf, -1.]')
    expect(formatTensor({ shape: [2], dtype: 'int32', values: new Int32Array([7, -12]) })).toBe('Tensor(shape=[2], dtype=int32) [  7, -12]')
  })

  it('separates blocks of rank 3 with a blank line', () => {
    expect(String(reshape(range(0, 8), [2, 2, 2]))).toBe('Tensor(shape=[2, 2, 2], dtype=float32)\n[[[0., 1.],\n  [2., 3.]],\n\n [[4., 5.],\n  [6., 7.]]]')
  })

  it('abbreviates past 1000 values with the first and last 3 along each axis, as NumPy', () => {
    const s = String(reshape(range(0, 2000), [40, 50]))
    expect(s.split('\n')).toEqual([
      'Tensor(shape=[40, 50], dtype=float32)',
      '[[   0.,    1.,    2., ...,   47.,   48.,   49.],',
      ' [  50.,   51.,   52., ...,   97.,   98.,   99.],',
      ' [ 100.,  101.,  102., ...,  147.,  148.,  149.],',
      ' ...,',
      ' [1850., 1851., 1852., ..., 1897., 1898., 1899.],',
      ' [1900., 1901., 1902., ..., 1947., 1948., 1949.],',
      ' [1950., 1951., 1952., ..., 1997., 1998., 1999.]]'
    ])
    expect(String(range(0, 1000))).not.toContain('...')
    expect(String(range(0, 1001))).toContain('...')
  })

  it('is what util.inspect (console.log, tslab) and fc.stringify show', () => {
    const t = tensor([[0.5, -1]])
    expect(inspect(t)).toBe(String(t))
    expect(inspect({ w: t })).toContain('dtype=float32')
    expect(fc.stringify({ x: t })).toBe(`{"x":${String(t)}}`)
  })

  it('shows every value of a small tensor to 4 decimals (a law)', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 20 }), (xs) => {
        const t = tensor(xs)
        const body = String(t).slice(String(t).indexOf(')') + 1).trim()
        const shown = body.replace(/^\[/, '').replace(/\]$/, '').split(',').map(Number)
        const exact = Array.from((t as Tensor).dataSync())
        shown.forEach((v, i) => expect(Math.abs(v - exact[i])).toBeLessThanOrEqual(5e-5 * Math.max(1, Math.abs(exact[i]))))
      }),
      { numRuns: 200 }
    )
  })

  it('a tracer says it has no values instead of printing undefined', () => {
    let seen = ''
    grad((x: Tensor) => {
      seen = String(x)
      return sum(x)
    })(tensor([1, 2]))
    expect(seen).toMatch(/^Tensor\(shape=\[2\], dtype=float32\) <traced/)
  })
})
