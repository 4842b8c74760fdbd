import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { tensor, valueAndGrad, mul, sub, matmul, tanh, randomNormal, randomUniform, key, split, foldIn, compare, mean, square, Tree, Tensor, dataSync, item, add, setBackend, getBackend } from '../../src/index.js'
import { jit } from '../../src/compile/jit.js'
import { scan } from '../../src/ad/scan.js'
import { withRecorder, activeRecorder } from '../../src/core/recorder.js'
import { reference } from '../../src/backend/reference.js'
import type { Backend } from '../../src/backend/Backend.js'

/** An asynchronous backend made of a synchronous one: every kernel resolves later, as WebGPU's do. */
const deferred = (sync: Backend): Backend<'async'> => {
  const later =
    <A extends unknown[], T>(f: (...a: A) => T) =>
    (...a: A): Promise<T> =>
      new Promise((resolve) => setTimeout(() => resolve(f(...a)), 0))
  return {
    ...sync,
    name: `deferred-${sync.name}`,
    async: true,
    syncFallback: sync,
    threaded: undefined,
    unary: later(sync.unary),
    binary: later(sync.binary),
    where: later(sync.where),
    matmul: later(sync.matmul),
    reduce: later(sync.reduce),
    argmax: later(sync.argmax),
    transpose: later(sync.transpose),
    broadcastTo: later(sync.broadcastTo),
    slice: later(sync.slice),
    gather: later(sync.gather),
    scatterAdd: later(sync.scatterAdd),
    concat: later(sync.concat),
    pad: later(sync.pad),
    fused: later(sync.fused)
  }
}

type P = { w: Tensor; u: Tensor }
/** A small recurrent step: a scan over time, dropout from the key, a gradient and an update. */
const step = (inp: { p: P; xs: Tensor; y: Tensor }, k: Parameters<typeof split>[0]) => {
  const [k1] = split(k, 2)
  const loss = (p: P) => {
    const [h] = scan((h: Tensor, x: Tensor) => {
      const h2 = tanh(add(matmul(x, p.w), matmul(h, p.u)))
      return [h2, h2] as [Tensor, Tensor]
    }, mul(inp.y, 0), inp.xs)
    const mask = compare(randomUniform(k1, h.shape), 0.2, 'gt')
    return mean(square(sub(mul(h, mask), inp.y)))
  }
  const [l, g] = valueAndGrad(loss)(inp.p)
  return { p: Tree.zipWith(inp.p, g, (a, b) => sub(a, mul(0.1, b))), loss: l }
}

describe('replay', () => {
  it('one replay serves synchronous and asynchronous backends alike (scan, random, gradients)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer(), async (T, n, seed) => {
        const sync = reference
        const prev = getBackend()
        setBackend(deferred(sync))
        try {
          const js = jit(step)
          let pe: P = { w: randomNormal(key(seed), [3, 4]), u: randomNormal(key(seed + 1), [4, 4]) }
          let pj = pe
          const xs = randomNormal(key(seed + 2), [T, n, 3])
          const y = randomNormal(key(seed + 3), [n, 4])
          for (let i = 0; i < 3; i++) {
            const k = foldIn(key(seed), i)
            const a = step({ p: pe, xs, y }, k)
            const b = await js.async({ p: pj, xs, y }, k)
            pe = a.p
            pj = b.p
            expect(item(b.loss)).toBe(item(a.loss))
          }
          expect(dataSync(pj.w)).toEqual(dataSync(pe.w))
          expect(dataSync(pj.u)).toEqual(dataSync(pe.u))
          // the scan is recorded once, as one step, whatever T is
          expect(js.stats()).toMatchObject({ traces: 1, replays: 2 })
        } finally {
          setBackend(prev)
        }
      }),
      { numRuns: 6 }
    )
  })
})

describe('recorder', () => {
  it('is scoped: restored after the body, even when it throws; inner handlers override, the rest fall through', () => {
    const seen: string[] = []
    expect(activeRecorder()).toBeUndefined()
    withRecorder({ exec: () => seen.push('outer exec'), hostRead: () => seen.push('outer read') }, () => {
      withRecorder({ hostRead: () => seen.push('inner read') }, () => {
        const x = add(tensor([1]), 1)
        dataSync(x)
      })
      dataSync(tensor([2]))
      expect(() => withRecorder({ exec: () => seen.push('thrower') }, () => {
        throw new Error('boom')
      })).toThrow('boom')
      add(tensor([1]), 2)
    })
    expect(activeRecorder()).toBeUndefined()
    expect(seen).toEqual(['outer exec', 'inner read', 'outer read', 'outer exec'])
  })
})
