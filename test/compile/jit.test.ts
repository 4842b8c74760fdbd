import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  tensor, mul, sub, matmul, relu, randomNormal, key, foldIn, Tensor, dataSync, item, add, div, sqrt,
  setBackend, getBackend
} from '../../src/index.js'
import { jit } from '../../src/compile/jit.js'
import { step, type P } from './step.js'

describe('jit', () => {
  it('replays give the same results as eager calls, with fresh random masks per key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (n, d, seed) => {
        const js = jit(step)
        let p1: P = { w: randomNormal(key(seed), [d, 4]), b: randomNormal(key(seed + 1), [4]) }
        let p2 = p1
        const x = randomNormal(key(seed + 2), [n, d])
        const y = randomNormal(key(seed + 3), [n, 4])
        for (let i = 0; i < 4; i++) {
          const k = foldIn(key(seed), i)
          const a = step({ p: p1, x, y }, k)
          const b = js({ p: p2, x, y }, k)
          p1 = a.p
          p2 = b.p
          expect(item(b.loss)).toBe(item(a.loss))
        }
        expect(dataSync(p2.w)).toEqual(dataSync(p1.w))
        expect(dataSync(p2.b)).toEqual(dataSync(p1.b))
        expect(js.stats()).toMatchObject({ traces: 1, replays: 3 })
      }),
      { numRuns: 10 }
    )
  })
  it('keeps input positions apart when the first call passes one tensor twice', () => {
    const f = jit((p: { a: Tensor; b: Tensor }) => sub(p.a, p.b))
    const t = tensor([1, 2])
    expect(dataSync(f({ a: t, b: t }, key(0)))).toEqual(new Float32Array([0, 0]))
    expect(dataSync(f({ a: tensor([5, 5]), b: tensor([1, 2]) }, key(0)))).toEqual(new Float32Array([4, 3]))
  })
  it('fuses elementwise chains into single kernels with the same results', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer(), (n, seed) => {
        const g = (p: { x: Tensor; y: Tensor; b: Tensor }) => {
          const h = add(mul(p.x, 0.9), mul(sub(p.y, p.b), 0.1))
          return { out: div(h, add(sqrt(mul(p.y, p.y)), 1e-7)), r: relu(add(p.x, p.b)) }
        }
        const f = jit(g)
        const inp = { x: randomNormal(key(seed), [3, n]), y: randomNormal(key(seed + 1), [3, n]), b: randomNormal(key(seed + 2), [n]) }
        f(inp, key(0))
        const got = f(inp, key(0))
        const want = g(inp)
        expect(dataSync(got.out)).toEqual(dataSync(want.out))
        expect(dataSync(got.r)).toEqual(dataSync(want.r))
        expect(f.stats().fused).toBeGreaterThan(0)
      }),
      { numRuns: 10 }
    )
  })
  it('the async twin (threaded matmuls) gives the same results', async () => {
    const g = (p: { w: Tensor; x: Tensor }) => ({ y: relu(matmul(p.x, p.w)), z: matmul(p.x, p.w, { transposeB: true }) })
    const f = jit(g)
    const inp = { w: randomNormal(key(1), [256, 256]), x: randomNormal(key(2), [128, 256]) } // 8.4M multiply-adds: threaded
    const first = await f.async(inp, key(0))
    const again = await f.async(inp, key(0))
    expect(dataSync(first.y)).toEqual(dataSync(g(inp).y))
    expect(dataSync(again.y)).toEqual(dataSync(g(inp).y))
    expect(dataSync(again.z)).toEqual(dataSync(g(inp).z))
    expect(f.stats()).toMatchObject({ traces: 1, replays: 1 })
  })
  it('retraces for a new input signature', () => {
    const f = jit((x: Tensor) => mul(x, 2))
    f(tensor([1]), key(0))
    f(tensor([1, 2]), key(0))
    expect(dataSync(f(tensor([3, 4]), key(0)))).toEqual(new Float32Array([6, 8]))
    expect(f.stats()).toMatchObject({ traces: 2, replays: 1 })
  })
  it('falls back to eager when the function reads values back to the host', () => {
    const f = jit((x: Tensor) => (item(add(x, 0)) > 0 ? mul(x, 2) : mul(x, 3)))
    f(tensor(1), key(0))
    expect(item(f(tensor(-1), key(0)))).toBe(-3)
    expect(f.stats()).toMatchObject({ traces: 1, replays: 0, eagerCalls: 1 })
  })
  it('does not mutate inputs and returns frozen trees', () => {
    const f = jit((p: { a: Tensor }) => ({ a: add(p.a, 1) }))
    const p = { a: tensor([1, 2]) }
    f(p, key(0))
    const r = f(p, key(0))
    expect(dataSync(p.a)).toEqual(new Float32Array([1, 2]))
    expect(Object.isFrozen(r)).toBe(true)
  })
  it('runs eagerly under another backend than the one it recorded on', () => {
    const f = jit((x: Tensor) => mul(x, 2))
    f(tensor([1]), key(0))
    const prev = getBackend()
    setBackend('reference')
    try {
      expect(dataSync(f(tensor([5]), key(0)))).toEqual(new Float32Array([10]))
    } finally {
      setBackend(prev)
    }
    expect(f.stats().eagerCalls).toBe(1)
  })
})
