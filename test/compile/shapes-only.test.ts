import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  tensor, mul, randomNormal, key, exp, neg, Tensor, dataSync, item, add, sum,
  TensorfoldError
} from '../../src/index.js'
import { jit } from '../../src/compile/jit.js'
import { record, recordShapes, runShapesOnly } from '../../src/compile/record.js'
import { step } from './step.js'
import { onWebasm } from './on-webasm.js'


describe('jit: the first call records with shapes only', () => {
  it('recordShapes makes the plan record makes, step for step, without computing a value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (n, d, seed) => {
        const inp = { p: { w: randomNormal(key(seed), [d, 4]), b: randomNormal(key(seed + 1), [4]) }, x: randomNormal(key(seed + 2), [n, d]), y: randomNormal(key(seed + 3), [n, 4]) }
        const shaped = recordShapes(step, inp, key(seed))
        const valued = record(step, inp, key(seed)).plan
        if (shaped === undefined || valued === 'impure') throw new Error('expected two plans')
        const sig = (s: (typeof shaped.steps)[number]) => (s.kind === 'op' ? `${s.def.name}:${s.spec.shape.join('x')}:${s.ins.map((r) => r.k).join('')}` : s.kind)
        expect(shaped.steps.map(sig)).toEqual(valued.steps.map(sig))
        expect(shaped.outs).toEqual(valued.outs)
        expect(shaped.slots).toBe(valued.slots)
      }),
      { numRuns: 10 }
    )
  })

  it('the first call builds only the kernels the fused plan runs, and gives the eager values bit for bit', () => {
    onWebasm((be) => {
      const g = (x: Tensor) => exp(neg(mul(add(x, 1), 0.5)))
      const f = jit(g)
      // sizes no other test uses, so every kernel below is built here
      const x = randomNormal(key(3), [1237])
      const before = be.kernelCount()
      const got = f(x, key(0))
      const jitKernels = be.kernelCount() - before
      const x2 = randomNormal(key(3), [1239])
      const mid = be.kernelCount()
      const want2 = g(x2)
      const eagerKernels = be.kernelCount() - mid
      expect(jitKernels).toBe(1) // one fused kernel
      expect(eagerKernels).toBe(4) // add, mul, neg, exp
      expect(dataSync(got)).toEqual(dataSync(g(x)))
      expect(dataSync(f(x2, key(0)))).toEqual(dataSync(want2))
      expect(f.stats()).toMatchObject({ traces: 2, replays: 0, eagerCalls: 0, fused: 2 })
    })
  })

  it('a function that reads a computed value back to the host is recorded again with values (first call correct)', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }).filter((v) => Math.abs(v) > 1e-3), (v) => {
        // a placeholder read as zeros would take the `* 3` branch for every input
        const f = jit((x: Tensor) => (item(sum(x)) > 0 ? mul(x, 2) : mul(x, 3)))
        const x = tensor([v])
        expect(dataSync(f(x, key(0)))).toEqual(new Float32Array([Math.fround(v) * (v > 0 ? 2 : 3)]))
        expect(f.stats()).toMatchObject({ traces: 1, replays: 0, eagerCalls: 0 })
      }),
      { numRuns: 20 }
    )
  })

  it('user code never sees a placeholder value: a host read ends the shapes-only recording at once', () => {
    const observed: number[] = []
    const f = jit((x: Tensor) => {
      observed.push(item(sum(add(x, 0))))
      return mul(x, 2)
    })
    expect(dataSync(f(tensor([1, 2]), key(0)))).toEqual(new Float32Array([2, 4]))
    // once, from the recording with values; a placeholder would have shown up as a 0 before it
    expect(observed).toEqual([3])
  })

  it('a function that catches the refused read and goes on is still recorded with values', () => {
    const f = jit((x: Tensor) => {
      let v = 0
      try {
        v = item(sum(x))
      } catch {
        v = 0
      }
      return mul(x, v > 0 ? 2 : 3)
    })
    expect(dataSync(f(tensor([1, 2]), key(0)))).toEqual(new Float32Array([2, 4]))
    // recorded with values: a host read makes the signature run eagerly after
    expect(dataSync(f(tensor([-1, -2]), key(0)))).toEqual(new Float32Array([-3, -6]))
    expect(f.stats()).toMatchObject({ traces: 1, eagerCalls: 1 })
  })

  it('a bad shape throws the error an eager call throws', () => {
    const g = (x: Tensor) => add(mul(x, 2), tensor([1, 2, 3]))
    const f = jit(g)
    const x = tensor([1, 2])
    let eager: unknown
    try {
      g(x)
    } catch (e) {
      eager = e
    }
    expect(eager).toBeInstanceOf(TensorfoldError)
    expect(() => f(x, key(0))).toThrow((eager as Error).message)
  })

  it('printing a value inside the recording shows a traced value, never placeholder numbers', () => {
    const seen: string[] = []
    const f = jit((x: Tensor) => {
      const y = mul(x, 2)
      seen.push(String(y))
      return y
    })
    expect(dataSync(f(tensor([7, 8]), key(0)))).toEqual(new Float32Array([14, 16]))
    expect(seen).toHaveLength(1)
    expect(seen[0]).toContain('traced')
    expect(seen[0]).not.toContain('0, 0')
  })

  it('inputs and constants are never placeholders: an output that is an input or a constant comes back as it is', () => {
    const c = tensor([9, 9])
    const f = jit((p: { a: Tensor; b: Tensor }) => ({ a: p.a, c, s: add(p.a, p.b) }))
    const a = tensor([1, 2])
    const r = f({ a, b: tensor([3, 4]) }, key(0))
    expect(dataSync(r.a)).toEqual(new Float32Array([1, 2]))
    expect(dataSync(r.c)).toEqual(new Float32Array([9, 9]))
    expect(dataSync(r.s)).toEqual(new Float32Array([4, 6]))
  })
})

describe('runShapesOnly: a computation run for its shapes', () => {
  it('gives the shapes of what it computes and builds no kernel; inputs come back as they are', () => {
    onWebasm((be) => {
      const x = randomNormal(key(4), [3, 1241])
      const before = be.cacheStats().created
      const r = runShapesOnly(() => ({ y: exp(mul(x, 2)), s: sum(x, 1), x }))
      expect(r?.y.shape).toEqual([3, 1241])
      expect(r?.s.shape).toEqual([3])
      expect(r?.x).toBe(x)
      expect(be.cacheStats().created).toBe(before)
    })
  })

  it('is undefined when the computation reads a computed value back, throws, or reads one and goes on', () => {
    const x = tensor([1, 2])
    expect(runShapesOnly(() => item(sum(x)))).toBeUndefined()
    expect(
      runShapesOnly(() => {
        throw new Error('boom')
      })
    ).toBeUndefined()
    // a read refused inside, caught by the computation, still makes the shapes untrustworthy
    expect(
      runShapesOnly(() => {
        const s = sum(mul(x, 3))
        try {
          dataSync(s)
        } catch {
          // went on without the value
        }
        return s
      })
    ).toBeUndefined()
    // reading an input is not a computed value: the run stands
    expect(runShapesOnly(() => dataSync(x)[1] + 1)).toBe(3)
  })
})
