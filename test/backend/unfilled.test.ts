/**
 * Results left unzeroed (`unfilledFloats` of `#platform`): from `UNFILLED_MIN` floats a kernel's result,
 * a `fusedMany` plane and `dataSync`'s copy come from memory that may hold anything (an earlier,
 * collected array's values), so every one of their floats must be written. Each check below runs many
 * times over values that change every round: a result that missed a float would show one of the last
 * round's values there.
 */
import { describe, it, expect } from 'vitest'
import * as node from '../../src/platform/node.js'
import * as browser from '../../src/platform/browser.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import type { GpujsBackend } from '../../src/backend/gpujs/backend.js'
import type { Expr, View } from '../../src/backend/Backend.js'
import { add, dataSync, tensor, toArray, withBackend } from '../../src/index.js'
import { bits, rnd } from './kernel-cases.js'

const N = node.UNFILLED_MIN + 12

describe('unfilledFloats', () => {
  it('is a Float32Array of its own buffer, of exactly n floats, from UNFILLED_MIN on (Node)', () => {
    const a = node.unfilledFloats(N)
    const b = node.unfilledFloats(N)
    for (const x of [a, b]) {
      expect(x).toBeInstanceOf(Float32Array)
      expect(x.length).toBe(N)
      expect(x.byteOffset).toBe(0)
      expect(x.buffer.byteLength).toBe(N * 4)
    }
    expect(a.buffer).not.toBe(b.buffer)
    a.fill(3)
    expect(b.includes(3) && b.every((v) => v === 3)).toBe(false)
  })

  it('is zeroed below UNFILLED_MIN (Node) and always in the browser', () => {
    for (const n of [0, 1, 5, node.UNFILLED_MIN - 1]) expect(node.unfilledFloats(n).every((v) => v === 0)).toBe(true)
    expect(browser.UNFILLED_MIN).toBe(node.UNFILLED_MIN)
    for (const n of [0, 3, N]) {
      const a = browser.unfilledFloats(n)
      expect(a.length).toBe(n)
      expect(a.every((v) => v === 0)).toBe(true)
    }
  })
})

describe('results in unzeroed memory are written in full', () => {
  it('an eager add and dataSync of large tensors, round after round', () => {
    withBackend('webasm', () => {
      for (let r = 0; r < 24; r++) {
        const a = Float32Array.from({ length: N }, (_, i) => ((i * 7 + r * 13) % 101) - 50)
        const b = Float32Array.from({ length: N }, (_, i) => r + 0.25 * (i % 5))
        const want = Float32Array.from(a, (v, i) => Math.fround(v + b[i]))
        const y = add(tensor(a, [N]), tensor(b, [N]))
        const got = dataSync(y)
        const wantBits = bits(want)
        expect({ r, same: bits(got).every((w, i) => w === wantBits[i]) }).toEqual({ r, same: true })
        // dataSync's copy is the tensor's values, and a copy: writing it changes nothing
        got.fill(-1)
        expect(toArray(y) as number[]).toEqual(Array.from(want))
      }
    })
  })

  it("fusedMany's planes, round after round", () => {
    const be = gpujsBackend('webasm') as unknown as GpujsBackend
    const many = be.fusedMany
    if (many === undefined) throw new Error('webasm has fusedMany')
    const n = N - (N % 4)
    const x: Expr = { k: 'in', i: 0 }
    const exprs: Expr[] = [
      { k: 'bin', op: 'mul', a: x, b: { k: 'in', i: 1 } },
      { k: 'bin', op: 'add', a: x, b: { k: 'const', v: 1 } }
    ]
    for (let r = 0; r < 12; r++) {
      const views: View[] = [{ data: rnd(n), shape: [n] }, { data: rnd(n), shape: [n] }]
      const want = exprs.map((e) => bits(be.fused(e, views, [n])))
      const got = many(exprs, views, [n])
      expect({ r, same: got.map(bits).every((g, j) => g.length === n && g.every((w, i) => w === want[j][i])) }).toEqual({ r, same: true })
    }
  })
})
