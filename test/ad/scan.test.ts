import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  scan, scanE, tensor, zeros, add, mul, tanh, matmul, sum, sigmoid, relu, toArray, dataSync, grad, jit, key, stopGradient, slice, reshape,
  concat, item, type Tensor
} from '../../src/index.js'
import { checkGrads, secondDerivativeCheck, tensorOf } from '../../laws/index.js'
import { withBackend } from '../../src/backend/index.js'

const cell = (w: Tensor, u: Tensor) => (h: Tensor, x: Tensor): [Tensor, Tensor] => {
  const h2 = tanh(add(matmul(x, w), matmul(h, u)))
  return [h2, sigmoid(h2)]
}
/** the unrolled loop, written by hand */
const unrolled = (f: (h: Tensor, x: Tensor) => [Tensor, Tensor], h0: Tensor, xs: Tensor, reverse = false): [Tensor, Tensor] => {
  const T = xs.shape[0]
  let h = h0
  const ys: Tensor[] = new Array(T)
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s
    const x = reshape(slice(xs, [t, 0, 0], [1, xs.shape[1], xs.shape[2]]), xs.shape.slice(1))
    const [h2, y] = f(h, x)
    h = h2
    ys[t] = reshape(y, [1, ...y.shape])
  }
  return [h, concat(ys, 0)]
}
const close = (a: Tensor, b: Tensor, tol = 1e-5): void => {
  const x = dataSync(a)
  const y = dataSync(b)
  expect(a.shape).toEqual(b.shape)
  x.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(tol * (1 + Math.abs(y[i]))))
}

describe('scan', () => {
  it('computes prefix sums (the doc example)', () => {
    const [total, prefix] = scan((c: Tensor, x: Tensor): [Tensor, Tensor] => {
      const s = add(c, x)
      return [s, s]
    }, zeros([]), tensor([1, 2, 3]))
    expect(toArray(total)).toBe(6)
    expect(toArray(prefix)).toEqual([1, 3, 6])
  })
  it('reverse walks from the last slice and keeps ys in place', () => {
    const [total, suffix] = scan((c: Tensor, x: Tensor): [Tensor, Tensor] => [add(c, x), add(c, x)], zeros([]), tensor([1, 2, 3]), { reverse: true })
    expect(toArray(total)).toBe(6)
    expect(toArray(suffix)).toEqual([6, 5, 3])
  })
  it('equals the unrolled loop (law, random shapes, both directions)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (T, b, d, h, reverse, seed) => {
          const [xs, w, u, h0] = [[T, b, d], [d, h], [h, h], [b, h]].map((s, i) => fc.sample(tensorOf(s), { numRuns: 1, seed: seed + i })[0])
          const [c1, y1] = scan(cell(w, u), h0, xs, { reverse })
          const [c2, y2] = unrolled(cell(w, u), h0, xs, reverse)
          close(c1, c2)
          close(y1, y2)
        }
      ),
      { numRuns: 15 }
    )
  })
  it('has gradients that match finite differences, w.r.t. init, xs and closed-over weights', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }), (T, reverse, seed) => {
        const [xs, w, u, h0] = [[T, 2, 3], [3, 2], [2, 2], [2, 2]].map((s, i) => fc.sample(tensorOf(s), { numRuns: 1, seed: seed + i })[0])
        const r = checkGrads(([a, b, c, d]: Tensor[]) => scan(cell(b, c), d, a, { reverse }), [xs, w, u, h0])
        expect(r.ok, JSON.stringify(r.worst)).toBe(true)
      }),
      { numRuns: 8 }
    )
  })
  it('has correct second derivatives (the VJP of the reverse scan)', () => {
    const [xs, w, u, h0] = [[3, 2, 2], [2, 2], [2, 2], [2, 2]].map((s, i) => fc.sample(tensorOf(s), { numRuns: 1, seed: 40 + i })[0])
    const r = secondDerivativeCheck(([a, b, c, d]: readonly Tensor[]) => sum(scan(cell(b, c), d, a)[1]), [xs, w, u, h0])
    expect(r.ok, JSON.stringify(r.worst)).toBe(true)
  })
  it('gradients through scan equal gradients through the unrolled loop', () => {
    const [xs, w, u, h0] = [[4, 2, 3], [3, 2], [2, 2], [2, 2]].map((s, i) => fc.sample(tensorOf(s), { numRuns: 1, seed: 7 + i })[0])
    const g1 = grad((p: Tensor[]) => sum(mul(scan(cell(p[0], p[1]), h0, xs)[1], scan(cell(p[0], p[1]), h0, xs)[0].shape.length)))([w, u])
    const g2 = grad((p: Tensor[]) => sum(mul(unrolled(cell(p[0], p[1]), h0, xs)[1], 2)))([w, u])
    close(g1[0], g2[0])
    close(g1[1], g2[1])
  })
  it('threads trees, int32 leaves and custom-VJP activations (relu) through the loop', () => {
    const xs = { a: tensor([[1, -2], [3, 4], [-5, 6]]), i: tensor([0, 1, 2], undefined, 'int32') }
    const [c, ys] = scan(
      (carry: { s: Tensor; n: Tensor }, x: { a: Tensor; i: Tensor }): [{ s: Tensor; n: Tensor }, Tensor[]] => [
        { s: add(carry.s, relu(x.a)), n: x.i },
        [relu(x.a), x.i]
      ],
      { s: zeros([2]), n: tensor(0, undefined, 'int32') },
      xs
    )
    expect(toArray(c.s)).toEqual([4, 10])
    expect(c.n.dtype).toBe('int32')
    expect(item(c.n)).toBe(2)
    expect(toArray(ys[1])).toEqual([0, 1, 2])
    expect(ys[1].dtype).toBe('int32')
    const g = grad((a: Tensor) => sum(scan((s: Tensor, x: Tensor): [Tensor, Tensor] => [add(s, relu(x)), s], zeros([2]), a)[0]))(xs.a)
    expect(toArray(g)).toEqual([[1, 0], [1, 1], [0, 1]])
  })
  it('treats stopGradient inside the body as a per-step value, not a loop constant', () => {
    const xs = tensor([1, 2, 3])
    const f = (a: Tensor): Tensor => sum(scan((c: Tensor, x: Tensor): [Tensor, Tensor] => [add(c, mul(x, stopGradient(c))), c], tensor(1), a)[0])
    const un = (a: Tensor): Tensor => {
      let c: Tensor = tensor(1)
      for (let t = 0; t < 3; t++) c = add(c, mul(reshape(slice(a, [t], [1]), []), stopGradient(c)))
      return c
    }
    expect(item(f(xs))).toBeCloseTo(item(un(xs)), 5)
    close(grad(f)(xs), grad(un)(xs))
  })
  it('falls back to an unrolled loop when the body reads values on the host (same numbers)', () => {
    const body = (c: Tensor, x: Tensor): [Tensor, Tensor] => (item(x) > 1 ? [add(c, x), c] : [c, c])
    const [c] = scan(body, zeros([]), tensor([1, 2, 3]))
    expect(item(c)).toBe(5)
  })
  it('handles zero-length scans and length without xs', () => {
    const [c, ys] = scan((c: Tensor, x: Tensor): [Tensor, Tensor] => [add(c, x), c], tensor([1, 2]), zeros([0, 2]))
    expect(toArray(c)).toEqual([1, 2])
    expect(ys.shape).toEqual([0, 2])
    const [n, steps] = scan((c: Tensor, _x: readonly Tensor[]): [Tensor, Tensor] => [add(c, 1), c], tensor(0), [], { length: 4 })
    expect(item(n)).toBe(4)
    expect(toArray(steps)).toEqual([0, 1, 2, 3])
  })
  it('refuses bad input with tagged errors (scanE never throws)', () => {
    const id = (c: Tensor, x: Tensor | readonly Tensor[]): [Tensor, Tensor | readonly Tensor[]] => [c, x]
    const e1 = scanE(id, zeros([]), [tensor([1, 2]), tensor([1, 2, 3])])
    expect(e1._tag === 'Left' && e1.left._tag).toBe('ShapeMismatch')
    const e2 = scanE((c: Tensor, x: Tensor): [Tensor, Tensor] => [add(c, zeros([2])), x], zeros([]), tensor([1, 2]))
    expect(e2._tag === 'Left' && e2.left._tag).toBe('ShapeMismatch')
    const e3 = scanE(id, zeros([]), [], {})
    expect(e3._tag === 'Left' && e3.left._tag).toBe('InvalidArgument')
    const e4 = scanE((c: Tensor, x: Tensor): [Tensor, Tensor] => [c, x], zeros([]), tensor(3))
    expect(e4._tag === 'Left' && e4.left._tag).toBe('ShapeMismatch')
  })
  it('is recorded once by jit: the plan does not grow with the number of steps', () => {
    const sizes = [5, 40].map((T) => {
      const xs = fc.sample(tensorOf([T, 2, 3]), { numRuns: 1, seed: 3 })[0]
      const [w, u, h0] = [[3, 2], [2, 2], [2, 2]].map((s, i) => fc.sample(tensorOf(s), { numRuns: 1, seed: 9 + i })[0])
      const loss = (p: { w: Tensor; u: Tensor }): Tensor => sum(scan(cell(p.w, p.u), h0, xs)[1])
      const step = jit((p: { w: Tensor; u: Tensor }, _k) => grad(loss)(p))
      const g1 = step({ w, u }, key(0))
      const g2 = step({ w, u }, key(1))
      const ge = grad(loss)({ w, u })
      close(g1.w, ge.w)
      close(g2.w, ge.w)
      close(g2.u, ge.u)
      expect(step.stats().replays).toBe(1)
      return step.stats().ops
    })
    expect(sizes[1]).toBe(sizes[0])
  })
  it('runs the same on gpu.js as on the float64 reference', () => {
    const [xs, w, u, h0] = [[6, 3, 4], [4, 5], [5, 5], [3, 5]].map((s, i) => fc.sample(tensorOf(s), { numRuns: 1, seed: 70 + i })[0])
    const run = (): Tensor[] => {
      const [c, y] = scan(cell(w, u), h0, xs)
      const g = grad((p: Tensor[]) => sum(scan(cell(p[0], p[1]), h0, xs)[1]))([w, u])
      return [c, y, ...g]
    }
    const a = withBackend('reference', run)
    const b = withBackend('webasm', run)
    a.forEach((t, i) => close(b[i], t, 1e-4))
  })
})
