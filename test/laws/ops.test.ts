import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { opCases, checkGrads, checkJvp, adjointGap, backendAgreement, secondDerivativeCheck, shapeArb } from '../../laws/index.js'
import { primitives } from '../../src/primitives/index.js'
import type { Tensor } from '../../src/core/Tensor.js'

const RUNS = Number(process.env.LAW_RUNS ?? 25)

describe('law catalogue', () => {
  it('has a case for every registered primitive', () => {
    const covered = new Set(opCases.map((c) => c.primitive).filter((p) => p !== undefined))
    const missing = Object.keys(primitives).filter((p) => !covered.has(p as never))
    expect(missing).toEqual([])
  })
  it('generates non-degenerate shapes', () => {
    const shapes = new Set(fc.sample(shapeArb(0, 3), { numRuns: 100, seed: 1 }).map((s) => JSON.stringify(s)))
    expect(shapes.size).toBeGreaterThan(20)
    const labels = new Set(fc.sample(opCases.find((c) => c.name === 'add')!.arb, { numRuns: 50, seed: 2 }).map((i) => i.label))
    expect(labels.size).toBeGreaterThan(10)
  })
})

describe.each(opCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('VJP matches central finite differences (float64 reference)', () => {
    fc.assert(
      fc.property(c.arb, (i) => {
        const r = checkGrads((xs: Tensor[]) => i.f(xs), i.xs as Tensor[])
        expect(r.ok, `${i.label}: ${JSON.stringify(r.worst)}`).toBe(true)
      }),
      { numRuns: RUNS }
    )
  })
  it('JVP matches a finite-difference directional derivative (an independent forward derivative)', () => {
    fc.assert(
      fc.property(c.arb, (i) => {
        const r = checkJvp((xs: Tensor[]) => i.f(xs), i.xs as Tensor[])
        expect(r.ok, `${i.label}: ${JSON.stringify(r.worst)}`).toBe(true)
      }),
      { numRuns: RUNS }
    )
  })
  it('satisfies the adjoint identity ⟨Jv, u⟩ = ⟨v, Jᵀu⟩ (jvp and vjp agree; the two checks above say they are right)', () => {
    fc.assert(
      fc.property(c.arb, (i) => {
        expect(adjointGap((xs: Tensor[]) => i.f(xs), i.xs as Tensor[])).toBeLessThan(1e-8)
      }),
      { numRuns: RUNS }
    )
  })
  const first = fc.sample(c.arb, { numRuns: 1, seed: 0 })[0]
  if (first.smooth && first.differentiable)
    it('has correct second derivatives (the VJP of the VJP matches finite differences)', () => {
      fc.assert(
        fc.property(c.arb, (i) => {
          const r = secondDerivativeCheck(i.f, i.xs)
          expect(r.ok, `${i.label}: ${JSON.stringify(r.worst)}`).toBe(true)
        }),
        { numRuns: Math.ceil(RUNS / 2) }
      )
    })
  it('gpu.js (webasm) agrees with the float64 reference, values and gradients', () => {
    fc.assert(
      fc.property(c.arb, (i) => {
        const r = backendAgreement('webasm', i.f, i.xs, { rtol: 1e-4 * (i.tol ?? 1) })
        expect(r.ok, `${i.label}: max rel error ${r.maxRelError}`).toBe(true)
      }),
      { numRuns: RUNS }
    )
  })
})
