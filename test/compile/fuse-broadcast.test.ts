/**
 * Fused kernels that read row-broadcast inputs (`[r, 1]` over `[r, c]`, `[a, b, 1]` and `[a, 1, 1]` over
 * `[a, b, c]`) and read through `broadcastTo` steps: the compiled result equals the eager one bit for bit
 * (the jit law), on webasm and on the float64 reference backend, and the plan did fuse them.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  add, sub, mul, div, exp, neg, abs, tanh, max, sum, broadcastTo, valueAndGrad, randomNormal, key, withBackend, reference, getBackend,
  type Tensor
} from '../../src/index.js'
import { jit } from '../../src/compile/jit.js'
import { bufferOf } from '../../src/core/Tensor.js'
import { record } from '../../src/compile/record.js'
import { fuse, prune } from '../../src/compile/fuse.js'
import type { Step } from '../../src/compile/plan.js'
import { fusedRead, type Backend } from '../../src/backend/Backend.js'

type In = { readonly x: Tensor; readonly w: Tensor; readonly b: Tensor }
type Op = 'shiftMax' | 'normSum' | 'bcastMul' | 'suffix' | 'rowAndSuffix' | 'outer' | 'squash' | 'tanh'

/** One link of a chain over `h` (the output shape); `w` is a row input `[..., r, 1]`, `b` a suffix input `[c]`. */
const link = (op: Op, h: Tensor, p: In): Tensor => {
  const last = h.shape.length - 1
  switch (op) {
    case 'shiftMax': // softmax's shift: a [.., r, 1] max read back over [.., r, c]
      return sub(h, max(h, last, true))
    case 'normSum': // softmax's division by a [.., r, 1] sum
      return div(h, add(sum(abs(h), last, true), 1))
    case 'bcastMul': // an explicit broadcastTo, then an elementwise consumer
      return mul(broadcastTo(p.w, h.shape), h)
    case 'suffix':
      return add(h, p.b)
    case 'rowAndSuffix': // a row and a suffix input in one expression (over [r, r] both have r cells)
      return add(mul(h, p.w), p.b)
    case 'outer': // a [a, 1, 1] (3-D) or scalar (2-D) reduction: another split point than the suffix's
      return mul(h, add(max(abs(h), [last - 1, last], true), 0.5))
    case 'squash':
      return exp(neg(abs(h)))
    case 'tanh':
      return tanh(h)
  }
}

const chain =
  (ops: ReadonlyArray<Op>) =>
  (p: In): Tensor =>
    ops.reduce((h, op) => link(op, h, p), p.x)

/** The chain's value and its gradient with respect to `x` (the VJPs add `broadcastTo`s of `[.., r, 1]` cotangents). */
const withGrad =
  (ops: ReadonlyArray<Op>) =>
  (p: In): { readonly y: Tensor; readonly g: Tensor } => {
    const [y, g] = valueAndGrad((x: Tensor) => sum(mul(chain(ops)({ ...p, x }), p.x)))(p.x)
    return { y, g }
  }

const bits = (t: Tensor): number[] => {
  // the storage itself: float64 on the reference backend (dataSync would round it to float32)
  const d = bufferOf(t)
  return Array.from(new Uint32Array(d.buffer, d.byteOffset, d.byteLength / 4))
}

const inputs = (shape: ReadonlyArray<number>, seed: number): In => ({
  x: randomNormal(key(seed), shape),
  w: randomNormal(key(seed + 1), [...shape.slice(0, -1), 1]),
  b: randomNormal(key(seed + 2), [shape[shape.length - 1]])
})

/** The fused plan of `f` on `inp` (what a replay runs). */
const planOf = <O extends Tensor | { readonly y: Tensor; readonly g: Tensor }>(f: (p: In) => O, inp: In): ReadonlyArray<Step> => {
  const rec = record((p: In) => f(p), inp, key(0))
  if (rec.plan === 'impure') throw new Error('impure')
  return fuse(prune(rec.plan)).steps
}

const ELEMENTWISE = new Set(['add', 'mul', 'div', 'pow', 'maximum', 'minimum', 'compare', 'where'])
/** Op steps that still read a row broadcast through a binary kernel, or broadcast a row: what fusion should have removed. */
const unfusedRows = (steps: ReadonlyArray<Step>): string[] =>
  steps.flatMap((st) => {
    if (st.kind !== 'op') return []
    if (st.def.name === 'broadcastTo' && fusedRead(st.inShapes[0], st.spec.shape)?.k === 'row') return [`broadcastTo [${st.inShapes[0]}] -> [${st.spec.shape}]`]
    if (ELEMENTWISE.has(st.def.name) && st.inShapes.some((s) => fusedRead(s, st.spec.shape)?.k === 'row')) return [`${st.def.name} [${st.inShapes.join('] [')}]`]
    return []
  })

const OPS: ReadonlyArray<Op> = ['shiftMax', 'normSum', 'bcastMul', 'suffix', 'rowAndSuffix', 'outer', 'squash', 'tanh']
const shapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 2, max: 12 })).map(([r, c]): number[] => [r, c]),
  fc.integer({ min: 2, max: 12 }).map((r): number[] => [r, r]), // r == c: a [r, 1] row and a [c] suffix have one size
  fc.tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 9 })).map(([a, b, c]): number[] => [a, b, c])
)
const opsArb = fc.array(fc.constantFrom(...OPS), { minLength: 1, maxLength: 6 })

/** jit(f) on its first (recording) and second (replay) call against f eagerly, bit for bit. */
const sameAsEager = (ops: ReadonlyArray<Op>, shape: ReadonlyArray<number>, seed: number): void => {
  const f = withGrad(ops)
  const inp = inputs(shape, seed)
  const want = f(inp)
  const j = jit(f)
  j(inp, key(0))
  const got = j(inp, key(0))
  expect(bits(got.y)).toEqual(bits(want.y))
  expect(bits(got.g)).toEqual(bits(want.g))
  expect(j.stats()).toMatchObject({ traces: 1, replays: 1 })
  expect(j.stats().fused).toBeGreaterThan(0)
}

describe('fused kernels reading row-broadcast inputs', () => {
  for (const be of ['webasm', 'reference'] as const)
    it(`compiled random row-broadcast chains equal eager bit for bit (${be})`, () => {
      const run = (): void =>
        fc.assert(
          fc.property(opsArb, shapeArb, fc.integer({ min: 0, max: 1 << 20 }), (ops, shape, seed) => sameAsEager(ops, shape, seed)),
          { numRuns: be === 'webasm' ? 40 : 25 }
        )
      if (be === 'reference') withBackend(reference, run)
      else {
        expect(getBackend().name).toBe('webasm')
        run()
      }
    })

  it('the arbitraries are not degenerate: every op, 2-D and 3-D shapes, and r == c occur', () => {
    const samples = fc.sample(fc.tuple(opsArb, shapeArb), 300)
    expect(new Set(samples.flatMap(([ops]) => ops)).size).toBe(OPS.length)
    expect(samples.some(([, s]) => s.length === 3)).toBe(true)
    expect(samples.some(([, s]) => s.length === 2 && s[0] === s[1])).toBe(true)
    expect(samples.some(([, s]) => s.length === 2 && s[0] !== s[1])).toBe(true)
  })

  it('fuses the softmax and its gradient: no row broadcast is left to a binary kernel or a broadcastTo', () => {
    fc.assert(
      fc.property(fc.constantFrom<number[]>([128, 10], [7, 7], [3, 5, 9]), fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
        // x - max, exp, / sum: every row input splits the output where the suffix input does
        const ops: Op[] = ['shiftMax', 'squash', 'normSum', 'rowAndSuffix', 'bcastMul']
        const steps = planOf(withGrad(ops), inputs(shape, seed))
        expect(unfusedRows(steps)).toEqual([])
        expect(steps.filter((s) => s.kind === 'fused').some((s) => s.kind === 'fused' && s.inShapes.some((i) => fusedRead(i, s.shape)?.k === 'row'))).toBe(true)
      }),
      { numRuns: 6 }
    )
  })

  it('the softmax chain takes fewer steps than before: the broadcastTo steps and the row-broadcast binary kernels are gone', () => {
    const softmax = (p: In): Tensor => {
      const z = exp(sub(p.x, max(p.x, 1, true)))
      return div(z, sum(z, 1, true))
    }
    const steps = planOf((p) => withGrad([])({ ...p, x: softmax(p) }), inputs([128, 10], 1))
    expect(steps.filter((s) => s.kind === 'op' && s.def.name === 'broadcastTo')).toEqual([])
    expect(unfusedRows(steps)).toEqual([])
  })

  it('keeps a [r, 1] row and an [r] suffix apart when r == c (the kernel cache key and the reads)', () => {
    // the same expression over the same sizes, once reading a row and once a suffix: two kernels
    for (const be of ['webasm', 'reference'] as const) {
      const go = (): void => {
        const x = randomNormal(key(1), [9, 9])
        const row = randomNormal(key(2), [9, 1])
        const suf = randomNormal(key(3), [9])
        const f = (p: { x: Tensor; v: Tensor }): Tensor => tanh(mul(p.x, p.v))
        const jr = jit(f)
        const js = jit(f)
        for (let i = 0; i < 2; i++) {
          expect(bits(jr({ x, v: row }, key(0)))).toEqual(bits(f({ x, v: row })))
          expect(bits(js({ x, v: suf }, key(0)))).toEqual(bits(f({ x, v: suf })))
        }
        expect(jr.stats().fused + js.stats().fused).toBe(2)
      }
      if (be === 'reference') withBackend(reference, go)
      else go()
    }
  })

  it('a one-node consumer of a broadcastTo it reads through runs as a fused step (the broadcast is gone)', () => {
    const f = (p: In): Tensor => neg(broadcastTo(p.w, p.x.shape))
    const p = inputs([5, 8], 3)
    const steps = planOf(f, p)
    expect(steps.map((s) => (s.kind === 'op' ? s.def.name : s.kind))).toEqual(['fused'])
    const j = jit(f)
    j(p, key(0))
    expect(bits(j(p, key(0)))).toEqual(bits(f(p)))
  })

  it('inlines a [r, 1] chain into its [r, c] consumer only while recomputing it per cell is cheap', () => {
    const f = (p: In): Tensor => mul(p.x, exp(neg(abs(sum(p.x, 1, true)))))
    const shapesOf = (shape: number[]): string[] => planOf(f, inputs(shape, 2)).map((s) => (s.kind === 'op' ? s.def.name : `${s.kind} [${s.kind === 'fused' ? s.shape : ''}]`))
    expect(shapesOf([128, 10])).toEqual(['sum', 'fused [128,10]'])
    expect(shapesOf([300, 300])).toEqual(['sum', 'fused [300,1]', 'fused [300,300]'])
  })

  it('does not read a [a, 1, 1] row and a [c] suffix in one kernel (they split [a, b, c] at different points)', () => {
    const p = inputs([3, 4, 9], 5)
    const f = (q: In): Tensor => add(mul(q.x, max(q.x, [1, 2], true)), q.b)
    const steps = planOf(f, p)
    for (const st of steps.filter((s) => s.kind === 'fused'))
      if (st.kind === 'fused') {
        const kinds = st.inShapes.map((s) => fusedRead(s, st.shape)?.k)
        expect(kinds.includes('row') && kinds.includes('suffix')).toBe(false)
      }
    const j = jit(f)
    j(p, key(0))
    expect(bits(j(p, key(0)))).toEqual(bits(f(p)))
  })
})

describe('fusedRead', () => {
  it('classifies by shape, not by size', () => {
    expect(fusedRead([128, 1], [128, 10])).toEqual({ k: 'row', inner: 10 })
    expect(fusedRead([10], [128, 10])).toEqual({ k: 'suffix', inner: 10 })
    expect(fusedRead([1, 10], [128, 10])).toEqual({ k: 'suffix', inner: 10 })
    expect(fusedRead([4, 1], [4, 4])).toEqual({ k: 'row', inner: 4 })
    expect(fusedRead([4], [4, 4])).toEqual({ k: 'suffix', inner: 4 })
    expect(fusedRead([3, 4, 1], [3, 4, 9])).toEqual({ k: 'row', inner: 9 })
    expect(fusedRead([3, 1, 1], [3, 4, 9])).toEqual({ k: 'row', inner: 36 })
    expect(fusedRead([4, 9], [3, 4, 9])).toEqual({ k: 'suffix', inner: 36 })
    expect(fusedRead([1, 4, 1], [3, 4, 9])).toBeUndefined()
    expect(fusedRead([1, 1], [3, 4])).toEqual({ k: 'scalar' })
    expect(fusedRead([3, 4], [3, 4])).toEqual({ k: 'full' })
    expect(fusedRead([1, 3, 4], [3, 4])).toEqual({ k: 'full' })
    expect(fusedRead([2, 3, 4], [3, 4])).toBeUndefined()
    expect(fusedRead([4, 3], [3, 4])).toEqual({ k: 'full' }) // read flat, as fused kernels always have
  })

  it('every backend reads rows and suffixes of one size apart', () => {
    const x = { data: Float32Array.from({ length: 16 }, (_, i) => i), shape: [4, 4] }
    const v = (shape: number[]) => ({ data: Float32Array.from([1, 2, 3, 4]), shape })
    const e = { k: 'bin', op: 'mul', a: { k: 'in', i: 0 }, b: { k: 'in', i: 1 } } as const
    for (const be of [getBackend() as Backend, reference]) {
      expect(Array.from(be.fused(e, [x, v([4, 1])], [4, 4]))).toEqual([0, 1, 2, 3, 8, 10, 12, 14, 24, 27, 30, 33, 48, 52, 56, 60])
      expect(Array.from(be.fused(e, [x, v([4])], [4, 4]))).toEqual([0, 2, 6, 12, 4, 10, 18, 28, 8, 18, 30, 44, 12, 26, 42, 60])
    }
  })
})
