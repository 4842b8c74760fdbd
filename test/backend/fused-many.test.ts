/**
 * The webasm backend's `fusedMany`: several fused expressions over the same inputs in one `Array(k)`
 * kernel with row planes, each result copied out of the module into an array of its own. Every result is
 * `fused`'s for its expression, bit for bit, whether a later expression holds an earlier one (computed
 * once, as a local) or not.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import type { GpujsBackend } from '../../src/backend/gpujs/backend.js'
import type { Expr, View } from '../../src/backend/Backend.js'
import { directRunStats, residentArgStats } from '../../src/backend/gpujs/direct-run.js'
import { fusedKey, fusedManyKey } from '../../src/backend/gpujs/kernels/elementwise.js'
import { bits, rnd } from './kernel-cases.js'

const be = gpujsBackend('webasm') as unknown as GpujsBackend
const many = be.fusedMany
if (many === undefined) throw new Error('webasm has fusedMany')

const UN = ['neg', 'exp', 'tanh', 'abs'] as const
const BIN = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const

/** An expression over `inputs` leaves, whose nodes may be any of `earlier` (the very objects). */
const exprArb = (inputs: number, earlier: ReadonlyArray<Expr>): fc.Arbitrary<Expr> =>
  fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: 0, max: inputs - 1 }).map((i): Expr => ({ k: 'in', i })),
      fc.double({ min: -2, max: 2, noNaN: true }).map((v): Expr => ({ k: 'const', v })),
      ...(earlier.length > 0 ? [fc.constantFrom(...earlier)] : []),
      fc.tuple(fc.constantFrom(...UN), tie('e')).map(([op, x]): Expr => ({ k: 'un', op, x })),
      fc.tuple(fc.constantFrom(...BIN), tie('e'), tie('e')).map(([op, a, b]): Expr => ({ k: 'bin', op, a, b }))
    )
  })).e

/** 2–4 expressions, each free to hold the ones before it. */
const groupArb = (inputs: number): fc.Arbitrary<Expr[]> =>
  fc.integer({ min: 2, max: 4 }).chain((k) => {
    const step = (acc: Expr[]): fc.Arbitrary<Expr[]> => (acc.length === k ? fc.constant(acc) : exprArb(inputs, acc).chain((e) => step([...acc, e])))
    return step([])
  })

const caseArb = fc
  .record({ n: fc.integer({ min: 1, max: 300 }), scalars: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }) })
  .chain((c) => groupArb(c.scalars.length).map((exprs) => ({ ...c, exprs })))

const viewsOf = (n: number, scalars: ReadonlyArray<boolean>): View[] =>
  scalars.map((s) => ({ data: rnd(s ? 1 : n), shape: s ? [] : [n] }))

describe("webasm's fusedMany", () => {
  it('property: each result is fused’s for its expression, bit for bit, in an array of its own', () => {
    fc.assert(
      fc.property(caseArb, ({ n, scalars, exprs }) => {
        const views = viewsOf(n, scalars)
        const want = exprs.map((e) => bits(be.fused(e, views, [n])))
        // twice: the first call goes through gpu.js, the second straight into the module
        for (let i = 0; i < 2; i++) {
          const got = many(exprs, views, [n])
          expect(got.map(bits)).toEqual(want)
          expect(new Set(got.map((r) => r.buffer)).size).toBe(exprs.length)
          for (const r of got) expect(r.length).toBe(n)
        }
      }),
      { numRuns: 60 }
    )
  })

  it('takes one kernel call for the group where the cells are a multiple of 4, one per expression elsewhere', () => {
    const a: Expr = { k: 'bin', op: 'mul', a: { k: 'in', i: 0 }, b: { k: 'const', v: 0.5 } }
    const b: Expr = { k: 'bin', op: 'add', a, b: { k: 'in', i: 1 } }
    for (const [n, calls] of [
      [4096, 1],
      [4098, 2]
    ] as const) {
      const views = viewsOf(n, [false, false])
      many([a, b], views, [n])
      const before = directRunStats.calls
      const created = be.cacheStats().created
      const got = many([a, b], views, [n])
      expect(directRunStats.calls - before).toBe(calls)
      expect(be.cacheStats().created).toBe(created)
      expect(got.map(bits)).toEqual([a, b].map((e) => bits(be.fused(e, views, [n]))))
    }
  })
})

describe('the keys of fused kernels', () => {
  it('come back as the same string for the same frozen expressions, reads and size, and differ where any differs', () => {
    const a: Expr = { k: 'bin', op: 'mul', a: { k: 'in', i: 0 }, b: { k: 'in', i: 1 } }
    const b: Expr = { k: 'un', op: 'exp', x: a }
    const full = [{ k: 'full' }, { k: 'full' }] as const
    const exprs = Object.freeze([a, b])
    const k1 = fusedManyKey(exprs, full, 8)
    expect(fusedManyKey(exprs, full, 8)).toBe(k1)
    // an unfrozen array of the same expressions: the same key, made again
    expect(fusedManyKey([a, b], full, 8)).toBe(k1)
    expect(fusedManyKey(exprs, full, 12)).not.toBe(k1)
    expect(fusedManyKey(exprs, [{ k: 'full' }, { k: 'scalar' }], 8)).not.toBe(k1)
    expect(fusedManyKey(exprs, full, 8)).toBe(k1)
    expect(fusedManyKey(Object.freeze([b, a]), full, 8)).not.toBe(k1)
    const f1 = fusedKey(b, full, 8)
    expect(fusedKey(b, full, 8)).toBe(f1)
    expect(fusedKey(b, full, 16)).not.toBe(f1)
    expect(fusedKey(b, [{ k: 'full' }, { k: 'row', inner: 4 }], 8)).not.toBe(fusedKey(b, [{ k: 'full' }, { k: 'suffix', inner: 4 }], 8))
    expect(fusedKey(b, full, 8)).toBe(f1)
  })
})

describe('results that come back as arguments (an optimizer’s state)', () => {
  const inn = (i: number): Expr => ({ k: 'in', i })
  const c = (v: number): Expr => ({ k: 'const', v })
  const bin = (op: 'add' | 'sub' | 'mul' | 'div', a: Expr, b: Expr): Expr => ({ k: 'bin', op, a, b })
  // Adam over [m, g, v, w]: the new moments, then the weights from them (holding their objects)
  const m2 = bin('add', bin('mul', inn(0), c(0.9)), bin('mul', inn(1), c(0.1)))
  const v2 = bin('add', bin('mul', inn(2), c(0.999)), bin('mul', bin('mul', inn(1), inn(1)), c(0.001)))
  const w2 = bin('sub', inn(3), bin('div', bin('mul', m2, c(0.01)), bin('add', { k: 'un', op: 'sqrt', x: v2 }, c(1e-7))))
  const exprs = Object.freeze([m2, v2, w2])

  it('are stored in their arguments’ regions from the third call and not copied in again; every result is fused’s, bit for bit', () => {
    const n = 4096
    let [m, v, w]: Float32Array[] = [rnd(n), rnd(n).map(Math.abs), rnd(n)]
    for (let t = 0; t < 8; t++) {
      // at the sixth call a fresh moment comes instead of the last result: it is copied, and right
      if (t === 5) m = rnd(n)
      const views: View[] = [m, rnd(n), v, w].map((data) => ({ data, shape: [n] }))
      const want = exprs.map((e) => bits(be.fused(e, views, [n])))
      const skipped = residentArgStats.skipped
      const got = many(exprs, views, [n])
      expect({ t, bits: got.map(bits) }).toEqual({ t, bits: want })
      const skips = residentArgStats.skipped - skipped
      if (t >= 3) expect({ t, skips }).toEqual({ t, skips: t === 5 ? 2 : 3 })
      if (t < 3) expect({ t, skips }).toEqual({ t, skips: 0 })
      ;[m, v, w] = got as Float32Array[]
    }
  })

  it('leave arguments that are not results where they were: a group fed fresh arrays every call copies them all, and is right', () => {
    const n = 4096
    const w = rnd(n)
    for (let t = 0; t < 5; t++) {
      const views: View[] = [rnd(n), rnd(n), rnd(n).map(Math.abs), w].map((data) => ({ data, shape: [n] }))
      const want = exprs.map((e) => bits(be.fused(e, views, [n])))
      expect(many(exprs, views, [n]).map(bits)).toEqual(want)
    }
  })
})
