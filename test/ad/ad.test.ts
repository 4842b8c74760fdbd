import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  tensor, grad, valueAndGrad, vjp, jvp, hvp, customVjp, stopGradient, sum, mul, add, exp, log, tanh, sin,
  toArray, item, matmul, logSumExp, sigmoid, softmax, div, maximum, Tensor, withBackend, dataSync, Tree
} from '../../src/index.js'
import { checkGrads } from '../../laws/index.js'
import { tensorOf, shapeArb } from '../../laws/arbitraries.js'

const close = (a: unknown, b: unknown, tol = 1e-5): void => {
  const fa = (Array.isArray(a) ? a.flat(4) : [a]) as number[]
  const fb = (Array.isArray(b) ? b.flat(4) : [b]) as number[]
  expect(fa.length).toBe(fb.length)
  fa.forEach((v, i) => expect(Math.abs(v - fb[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(fb[i]))))
}

describe('grad', () => {
  it('has the type and structure of the input tree', () => {
    const p = { w: tensor([[1, 2], [3, 4]]), b: [tensor([1]), tensor([2, 3])] }
    const g = grad((q: typeof p) => add(sum(mul(q.w, q.w)), add(sum(q.b[0]), sum(mul(3, q.b[1])))))(p)
    expect(Tree.structure(g)).toEqual(Tree.structure(p))
    expect(toArray(g.w)).toEqual([[2, 4], [6, 8]])
    expect(toArray(g.b[1])).toEqual([3, 3])
  })
  it('passes extra arguments through', () => {
    const g = grad((w: Tensor, x: Tensor) => sum(mul(w, x)))(tensor([1, 1]), tensor([5, 7]))
    expect(toArray(g)).toEqual([5, 7])
  })
  it('valueAndGrad returns the value too', () => {
    const [v, g] = valueAndGrad((x: Tensor) => sum(exp(x)))(tensor([0, 0]))
    expect(item(v)).toBeCloseTo(2)
    expect(toArray(g)).toEqual([1, 1])
  })
  it('gives zeros for unused inputs', () => {
    const g = grad((p: { a: Tensor; b: Tensor }) => sum(p.a))({ a: tensor([1]), b: tensor([1, 2]) })
    expect(toArray(g.b)).toEqual([0, 0])
  })
  it('rejects non-scalar functions and non-tensor inputs with clear errors', () => {
    expect(() => grad((x: Tensor) => mul(x, 2))(tensor([1, 2]))).toThrow(/must return a scalar Tensor/)
    expect(() => grad((x: Tensor) => sum(x))(3 as never)).toThrow(/expected a Tensor or a tree/)
  })
})

describe('nested differentiation', () => {
  it('grad(grad(f)) is the second derivative', () => {
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), (x) => {
        const d2 = grad((y: Tensor) => sum(grad((z: Tensor) => sum(tanh(z)))(y)))(tensor([x]))
        const t = Math.tanh(x)
        close(toArray(d2), [-2 * t * (1 - t * t)], 1e-4)
      })
    )
  })
  it('third derivatives of exp are exp', () => {
    const d = (f: (x: Tensor) => Tensor) => (x: Tensor) => sum(grad((y: Tensor) => sum(f(y)))(x))
    const d3 = grad(d(d(exp)))(tensor([0.5]))
    close(toArray(d3), [Math.exp(0.5)], 1e-4)
  })
  it('keeps perturbations of nested calls apart', () => {
    // d/dx [ x · d/dy (x · y) ] = d/dx [x · x] = 2x  (a confused implementation gives x)
    const f = (x: Tensor) => mul(x, grad((y: Tensor) => sum(mul(x, y)))(tensor([1])))
    close(toArray(grad((x: Tensor) => sum(f(x)))(tensor([3]))), [6])
  })
  it('hvp is the Hessian times a vector', () => {
    // f = Σ x³ → H = diag(6x)
    const h = hvp((x: Tensor) => sum(mul(x, mul(x, x))))(tensor([1, 2]), tensor([1, 1]))
    close(toArray(h), [6, 12])
  })
  it('jvp is the Jacobian times a vector', () => {
    const [y, t] = jvp((x: Tensor) => mul(x, x))(tensor([1, 2, 3]), tensor([1, 0, 2]))
    close(toArray(y), [1, 4, 9])
    close(toArray(t), [2, 0, 12])
  })
})

describe('stopGradient and customVjp', () => {
  it('stopGradient blocks every level', () => {
    const g = grad((x: Tensor) => sum(mul(x, stopGradient(x))))(tensor([3]))
    expect(toArray(g)).toEqual([3])
  })
  it('customVjp uses the given rule at every level', () => {
    const clipGrad = customVjp((x) => mul(x, 1), (ct) => [mul(ct, 0.5)])
    expect(toArray(grad((x: Tensor) => sum(clipGrad(x)))(tensor([1, 2])))).toEqual([0.5, 0.5])
    const sq = customVjp((x) => mul(x, x), (ct, [x]) => [mul(ct, mul(2, x))])
    close(toArray(grad((x: Tensor) => sum(grad((y: Tensor) => sum(sq(y)))(x)))(tensor([3]))), [2])
  })
  it('user functions pass checkGrads', () => {
    fc.assert(
      fc.property(shapeArb(1, 2).chain((s) => tensorOf(s, { min: 0.5, max: 2 })), (x) => {
        expect(checkGrads((p: Tensor) => sum(div(log(p), add(1, mul(p, p)))), x).ok).toBe(true)
      }),
      { numRuns: 20 }
    )
  })
  it('checkGrads catches a wrong gradient', () => {
    const wrong = customVjp((x) => exp(x), (ct) => [ct])
    expect(checkGrads((p: Tensor) => sum(wrong(p)), tensor([1, 2])).ok).toBe(false)
  })
})

describe('numerical stability', () => {
  it('logSumExp and softmax are finite for huge inputs', () => {
    close(toArray(logSumExp(tensor([1000, 1000]))), 1000 + Math.log(2), 1e-6)
    close(toArray(logSumExp(tensor([-1000, -1000]))), -1000 + Math.log(2), 1e-6)
    const g = grad((x: Tensor) => logSumExp(x))(tensor([1e4, 1e4]))
    close(toArray(g), [0.5, 0.5])
    expect(dataSync(softmax(tensor([1e4, 0, -1e4]))).every(Number.isFinite)).toBe(true)
  })
  it('sigmoid and its gradient are finite at the extremes', () => {
    const g = grad((x: Tensor) => sum(sigmoid(x)))(tensor([-1e4, 0, 1e4]))
    expect(toArray(g)).toEqual([0, 0.25, 0])
  })
  it('vjp returns a pullback usable several times', () => {
    const [y, pb] = vjp((x: Tensor) => matmul(x, x), tensor([[1, 2], [3, 4]]))
    expect(toArray(y)).toEqual([[7, 10], [15, 22]])
    // d⟨c, x·x⟩/dx = c·xᵀ + xᵀ·c
    expect(toArray(pb(tensor([[1, 0], [0, 0]])))).toEqual([[2, 3], [2, 0]])
    expect(toArray(pb(tensor([[0, 0], [0, 1]])))).toEqual([[0, 3], [2, 8]])
    // a second use with the first cotangent gives the first answer again (the pullback keeps no state)
    expect(toArray(pb(tensor([[1, 0], [0, 0]])))).toEqual([[2, 3], [2, 0]])
    expect(() => pb(tensor([1]))).toThrow(/cotangent 0 has shape/)
  })
  it('maximum sends ties to the first argument', () => {
    const g = grad((p: { a: Tensor; b: Tensor }) => sum(maximum(p.a, p.b)))({ a: tensor([1]), b: tensor([1]) })
    expect([toArray(g.a), toArray(g.b)]).toEqual([[1], [0]])
  })
  it('results agree on the reference backend', () => {
    const f = (x: Tensor) => sum(mul(sin(x), x))
    const a = toArray(grad(f)(tensor([0.3, 1.2])))
    const b = withBackend('reference', () => toArray(grad(f)(tensor([0.3, 1.2]))))
    close(a, b, 1e-5)
  })
})
