/**
 * The law catalogue: one generator per primitive and per derived op. Each yields a differentiable
 * function of an array of tensors, the inputs to check it at, and whether it is smooth (twice
 * differentiable there). `test/laws` runs every entry through the gradient, adjoint, second-derivative
 * and backend-agreement laws, and checks that every registered primitive has an entry.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { Tensor, fromBuffer, dataF64 } from '../src/core/Tensor.js'
import type { PrimitiveName } from '../src/primitives/bind.js'
import * as P from '../src/primitives/index.js'
import * as O from '../src/ops/index.js'
import { scan } from '../src/ad/scan.js'
import { convOutShape, poolOutShape } from '../src/backend/window.js'
import { shapeArb, tensorOf, tensorPair, permutation, broadcastableFrom, type ValueRange } from './arbitraries.js'

/** One generated instance of a law case. */
export interface OpInstance {
  readonly label: string
  readonly xs: ReadonlyArray<Tensor>
  readonly f: (xs: ReadonlyArray<Tensor>) => Tensor
  /** false: the op is piecewise constant here (its gradient must be zero) or not differentiable */
  readonly differentiable: boolean
  /** twice differentiable at these inputs */
  readonly smooth: boolean
  /** tolerance factor for float32 backends (1 = default) */
  readonly tol?: number
}

/** A law case: a name and a generator of instances. */
export interface OpCase {
  readonly name: string
  readonly primitive?: PrimitiveName
  readonly arb: fc.Arbitrary<OpInstance>
}

const inst = (label: string, xs: ReadonlyArray<Tensor>, f: (xs: ReadonlyArray<Tensor>) => Tensor, smooth = true, differentiable = true, tol = 1): OpInstance => ({
  label,
  xs,
  f,
  smooth,
  differentiable,
  tol
})

const unary = (name: string, f: (x: Tensor) => Tensor, r: ValueRange, smooth = true, primitive?: PrimitiveName, tol = 1): OpCase => ({
  name,
  primitive,
  arb: shapeArb(0, 3).chain((s) => tensorOf(s, r)).map((x) => inst(`${name}${JSON.stringify(x.shape)}`, [x], ([a]) => f(a), smooth, true, tol))
})

const binary = (name: string, f: (a: Tensor, b: Tensor) => Tensor, ra: ValueRange, rb: ValueRange = ra, smooth = true, primitive?: PrimitiveName, tol = 1): OpCase => ({
  name,
  primitive,
  arb: tensorPair(ra, rb).map(([a, b]) => inst(`${name}${JSON.stringify(a.shape)}${JSON.stringify(b.shape)}`, [a, b], ([x, y]) => f(x, y), smooth, true, tol))
})

/** Pairs whose entries stay at least `gap` apart after broadcasting (no ties for max/min/compare). */
const separatedPair = (gap: number): fc.Arbitrary<[Tensor, Tensor]> =>
  tensorPair({ min: -2, max: 2 }).map(([a, b]) => {
    const d = dataF64(b)
    const av = dataF64(a)
    // push b away from every value of a by at least gap (cheap: shift b by a per-entry offset)
    const out = Float64Array.from(d, (v) => {
      let w = v
      for (let tries = 0; tries < 50 && av.some((x) => Math.abs(x - w) < gap); tries++) w += gap
      return w
    })
    return [a, fromBuffer(out, b.shape)]
  })

const axesArb = (rank: number): fc.Arbitrary<number[] | undefined> =>
  rank === 0 ? fc.constant(undefined) : fc.option(fc.subarray(Array.from({ length: rank }, (_, i) => i), { minLength: 1 }), { nil: undefined })

const reduction = (name: string, f: (x: Tensor, axes: number[] | undefined, keep: boolean) => Tensor, r: ValueRange, primitive?: PrimitiveName, smooth = true): OpCase => ({
  name,
  primitive,
  arb: shapeArb(0, 3)
    .chain((s) => fc.tuple(tensorOf(s, r), axesArb(s.length), fc.boolean()))
    .map(([x, axes, keep]) => inst(`${name}${JSON.stringify(x.shape)} axes=${JSON.stringify(axes)} keep=${keep}`, [x], ([a]) => f(a, axes, keep), smooth))
})

const distinct = (x: Tensor): Tensor => {
  // make all values distinct by adding a small ramp: max/argmax have no ties to break
  const d = dataF64(x)
  return fromBuffer(Float64Array.from(d, (v, i) => v + i * 1e-2), x.shape)
}

/** A small convolution geometry: 1- to 3-d, strides, padding (negative crops too), both dilations, groups. */
const convArb = fc
  .integer({ min: 1, max: 3 })
  .chain((r) =>
    fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      S: fc.array(fc.integer({ min: 1, max: r === 3 ? 3 : 5 }), { minLength: r, maxLength: r }),
      K: fc.array(fc.integer({ min: 1, max: r === 3 ? 2 : 3 }), { minLength: r, maxLength: r }),
      strides: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: r, maxLength: r }),
      lhs: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: r, maxLength: r }),
      rhs: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: r, maxLength: r }),
      padding: fc.array(fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 })), { minLength: r, maxLength: r }),
      groups: fc.integer({ min: 1, max: 2 }),
      cig: fc.integer({ min: 1, max: 2 }),
      cog: fc.integer({ min: 1, max: 2 })
    })
  )
  .map(({ n, S, K, strides, lhs, rhs, padding, groups, cig, cog }) => {
    const g: P.ConvGeometry = { strides, padding, lhsDilation: lhs, rhsDilation: rhs, groups }
    const xs = [n, ...S, cig * groups]
    const ws = [...K, cig, cog * groups]
    return { xs, ws, g, os: convOutShape(xs, ws, g) }
  })
  .filter(({ os }) => os.every((d) => d > 0))

/** Logits shapes for softmax cross-entropy: up to two leading dims, then a few classes or a few dozen. */
const xentShape = fc
  .tuple(shapeArb(0, 2, 3), fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 33, max: 36 })))
  .map(([lead, C]) => [...lead, C])

/** A small pooling: 1- to 3-d, window, strides, padding below the window. */
const poolArb = fc
  .integer({ min: 1, max: 3 })
  .chain((r) =>
    fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      S: fc.array(fc.integer({ min: 1, max: r === 3 ? 3 : 5 }), { minLength: r, maxLength: r }),
      win: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: r, maxLength: r }),
      strides: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: r, maxLength: r }),
      pad: fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { minLength: r, maxLength: r }),
      c: fc.integer({ min: 1, max: 2 }),
      op: fc.constantFrom<'max' | 'avg'>('max', 'avg')
    })
  )
  .map(({ n, S, win, strides, pad, c, op }) => {
    const p: P.PoolParams = { op, window: win, strides, padding: pad.map(([lo, hi], d) => [Math.min(lo, win[d] - 1), Math.min(hi, win[d] - 1)] as const) }
    const xs = [n, ...S, c]
    return { xs, p, os: poolOutShape(xs, p) }
  })
  .filter(({ os }) => os.every((d) => d > 0))

/** Every law case, primitives first. */
export const opCases: ReadonlyArray<OpCase> = [
  binary('add', P.add, {}, {}, true, 'add'),
  binary('mul', P.mul, {}, {}, true, 'mul'),
  binary('div', P.div, {}, { min: 0.5, max: 2 }, true, 'div'),
  unary('neg', P.neg, {}, true, 'neg'),
  unary('exp', P.exp, { min: -2, max: 2 }, true, 'exp'),
  unary('log', P.log, { min: 0.3, max: 3 }, true, 'log'),
  unary('tanh', P.tanh, {}, true, 'tanh'),
  unary('sqrt', P.sqrt, { min: 0.3, max: 3 }, true, 'sqrt'),
  binary('pow', P.pow, { min: 0.5, max: 2 }, { min: -2, max: 2 }, true, 'pow', 4),
  unary('abs', P.abs, { awayFromZero: 0.05 }, false, 'abs'),
  unary('sign', P.sign, { awayFromZero: 0.05 }, false, 'sign'),
  unary('sin', P.sin, { min: -3, max: 3 }, true, 'sin'),
  unary('cos', P.cos, { min: -3, max: 3 }, true, 'cos'),
  { name: 'maximum', primitive: 'maximum', arb: separatedPair(0.01).map(([a, b]) => inst('maximum', [a, b], ([x, y]) => P.maximum(x, y), false)) },
  { name: 'minimum', primitive: 'minimum', arb: separatedPair(0.01).map(([a, b]) => inst('minimum', [a, b], ([x, y]) => P.minimum(x, y), false)) },
  {
    name: 'compare',
    primitive: 'compare',
    arb: fc
      .tuple(separatedPair(0.01), fc.constantFrom<P.Comparison>('eq', 'ne', 'lt', 'le', 'gt', 'ge'))
      .map(([[a, b], op]) => inst(`compare ${op}`, [a, b], ([x, y]) => P.compare(x, y, op), false, false))
  },
  {
    name: 'where',
    primitive: 'where',
    arb: tensorPair().chain(([a, b]) =>
      broadcastableFrom(a.shape.length >= b.shape.length ? a.shape : b.shape).chain((cs) =>
        tensorOf(cs, { min: -1, max: 1 }).map((c) => {
          const cond = P.compare(c, 0, 'gt')
          return inst(`where ${JSON.stringify(cs)}`, [a, b], ([x, y]) => P.where(cond, x, y), false)
        })
      )
    )
  },
  {
    name: 'matmul',
    primitive: 'matmul',
    arb: fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), shapeArb(0, 2, 3), fc.boolean(), fc.boolean(), fc.boolean())
      .chain(([m, k, n, batch, ta, tb, dropB]) => {
        const sa = [...batch, ...(ta ? [k, m] : [m, k])]
        const sb = [...(dropB ? [] : batch.map((d, i) => (i === 0 ? 1 : d))), ...(tb ? [n, k] : [k, n])]
        return fc.tuple(tensorOf(sa), tensorOf(sb)).map(([a, b]) =>
          inst(`matmul ${JSON.stringify(sa)}${ta ? 'ᵀ' : ''}·${JSON.stringify(sb)}${tb ? 'ᵀ' : ''}`, [a, b], ([x, y]) => P.matmul(x, y, { transposeA: ta, transposeB: tb }))
        )
      })
  },
  {
    name: 'transpose',
    primitive: 'transpose',
    arb: shapeArb(0, 4).chain((s) => fc.tuple(tensorOf(s), permutation(s.length))).map(([x, p]) => inst(`transpose ${JSON.stringify(p)}`, [x], ([a]) => P.transpose(a, p)))
  },
  {
    name: 'reshape',
    primitive: 'reshape',
    arb: shapeArb(0, 3).chain((s) => tensorOf(s)).map((x) => inst('reshape', [x], ([a]) => P.mul(P.reshape(a, [...x.shape].reverse()), 1)))
  },
  {
    name: 'broadcastTo',
    primitive: 'broadcastTo',
    arb: shapeArb(0, 3).chain((s) => fc.tuple(broadcastableFrom(s), fc.constant(s))).chain(([small, big]) =>
      tensorOf(small).map((x) => inst(`broadcastTo ${JSON.stringify(small)}->${JSON.stringify(big)}`, [x], ([a]) => P.broadcastTo(a, big)))
    )
  },
  reduction('sum', (x, axes, keep) => P.sum(x, axes, keep), {}, 'sum'),
  {
    name: 'max',
    primitive: 'max',
    arb: shapeArb(0, 3)
      .chain((s) => fc.tuple(tensorOf(s).map(distinct), axesArb(s.length), fc.boolean()))
      .map(([x, axes, keep]) => inst(`max axes=${JSON.stringify(axes)}`, [x], ([a]) => P.max(a, axes, keep), false))
  },
  {
    name: 'slice',
    primitive: 'slice',
    arb: shapeArb(1, 3)
      .chain((s) =>
        fc.tuple(
          tensorOf(s),
          fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b })))))
        )
      )
      .map(([x, bs]) => inst(`slice ${JSON.stringify(bs)}`, [x], ([a]) => P.slice(a, bs.map((b) => b[0]), bs.map((b) => b[1]))))
  },
  {
    name: 'gather',
    primitive: 'gather',
    arb: shapeArb(1, 3)
      .chain((s) => fc.tuple(tensorOf(s), fc.integer({ min: 0, max: s.length - 1 })))
      .chain(([x, axis]) =>
        fc.array(fc.integer({ min: 0, max: x.shape[axis] - 1 }), { minLength: 1, maxLength: 5 }).map((idx) => {
          const it = fromBuffer(Int32Array.from(idx), [idx.length], 'int32')
          return inst(`gather axis=${axis} ${JSON.stringify(idx)}`, [x], ([a]) => P.gather(a, it, axis))
        })
      )
  },
  {
    name: 'scatterAdd',
    primitive: 'scatterAdd',
    arb: shapeArb(1, 3)
      .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 })))
      .chain(([s, axis]) =>
        fc.array(fc.integer({ min: 0, max: s[axis] - 1 }), { minLength: 1, maxLength: 5 }).chain((idx) => {
          const us = s.map((d, i) => (i === axis ? idx.length : d))
          const it = fromBuffer(Int32Array.from(idx), [idx.length], 'int32')
          return tensorOf(us).map((u) => inst(`scatterAdd axis=${axis}`, [u], ([a]) => P.scatterAdd(a, it, axis, s)))
        })
      )
  },
  {
    name: 'concat',
    primitive: 'concat',
    arb: shapeArb(1, 3)
      .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })))
      .chain(([s, axis, lens]) => fc.tuple(...lens.map((l) => tensorOf(s.map((d, i) => (i === axis ? l : d))))).map((xs) => inst(`concat axis=${axis}`, xs, (ys) => P.concat(ys, axis))))
  },
  {
    name: 'pad',
    primitive: 'pad',
    arb: shapeArb(0, 3)
      .chain((s) => fc.tuple(tensorOf(s), fc.tuple(...s.map(() => fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })))), fc.double({ min: -1, max: 1, noNaN: true })))
      .map(([x, p, v]) => inst(`pad ${JSON.stringify(p)}`, [x], ([a]) => P.pad(a, p, v)))
  },
  unary('cast', (x) => P.cast(x, 'float32'), {}, true, 'cast'),
  {
    name: 'argmax',
    primitive: 'argmax',
    arb: shapeArb(1, 3)
      .chain((s) => fc.tuple(tensorOf(s).map(distinct), fc.integer({ min: 0, max: s.length - 1 })))
      .map(([x, axis]) => inst(`argmax axis=${axis}`, [x], ([a]) => P.cast(P.argmax(a, axis), 'float32'), false, false))
  },
  {
    // an RNN-like loop: the carry, the sequence and a closed-over weight are all differentiated
    name: 'scan',
    primitive: 'scan',
    arb: fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.boolean())
      .chain(([T, b, d, reverse]) => fc.tuple(tensorOf([T, b, d]), tensorOf([d, d]), tensorOf([b, d]), fc.constant(reverse)))
      .map(([xs, w, h0, reverse]) =>
        inst(`scan T=${xs.shape[0]} ${JSON.stringify(h0.shape)}${reverse ? ' reverse' : ''}`, [xs, w, h0], ([a, u, h]) => {
          const [c, ys] = scan((hc: Tensor, x: Tensor): [Tensor, Tensor] => {
            const n = P.tanh(P.add(x, P.matmul(hc, u)))
            return [n, P.mul(n, x)]
          }, h, a, { reverse })
          return P.concat([P.reshape(c, [-1]), P.reshape(ys, [-1])], 0)
        })
      )
  },
  { name: 'conv', primitive: 'conv', arb: convArb.chain(({ xs, ws, g }) => fc.tuple(tensorOf(xs), tensorOf(ws)).map(([x, w]) => inst(`conv ${JSON.stringify(xs)}*${JSON.stringify(ws)} ${JSON.stringify(g)}`, [x, w], ([a, b]) => P.convGeneral(a, b, g)))) },
  {
    name: 'convKernelGrad',
    primitive: 'convKernelGrad',
    arb: convArb.chain(({ xs, ws, g, os }) =>
      fc.tuple(tensorOf(xs), tensorOf(os)).map(([x, ct]) => inst(`convKernelGrad ${JSON.stringify(xs)} ${JSON.stringify(os)} ${JSON.stringify(g)}`, [x, ct], ([a, c]) => P.convKernelGrad(a, c, g, ws)))
    )
  },
  {
    name: 'pool',
    primitive: 'pool',
    arb: poolArb.chain(({ xs, p }) =>
      tensorOf(xs).map(distinct).map((x) => inst(`pool ${JSON.stringify(xs)} ${JSON.stringify(p)}`, [x], ([a]) => P.pool(a, p), p.op === 'avg'))
    )
  },
  {
    name: 'poolRoute',
    primitive: 'poolRoute',
    arb: poolArb.chain(({ xs, p }) =>
      fc.tuple(tensorOf(xs).map(distinct), fc.constantFrom<'scatter' | 'gather'>('scatter', 'gather')).chain(([x, dir]) =>
        // y is pooled inside f, on the backend under test, so that it selects the same positions of x
        tensorOf(dir === 'scatter' ? poolOutShape(xs, p) : xs).map((t) => inst(`poolRoute ${dir} ${JSON.stringify(xs)} ${JSON.stringify(p)}`, [t], ([a]) => P.poolRoute(x, P.pool(x, p), a, p, dir)))
      )
    )
  },
  {
    name: 'softmaxXent',
    primitive: 'softmaxXent',
    arb: xentShape.chain((s) => fc.tuple(tensorOf(s), tensorOf(s, { min: 0, max: 1 }))).map(([x, t]) => inst(`softmaxXent ${JSON.stringify(x.shape)}`, [x, t], ([a, b]) => P.softmaxXent(a, b)))
  },
  {
    name: 'softmaxXentGrad',
    primitive: 'softmaxXentGrad',
    arb: xentShape.chain((s) =>
      fc
        .tuple(tensorOf(s), tensorOf(s, { min: 0, max: 1 }), tensorOf(s.slice(0, -1)), fc.constantFrom<'logits' | 'labels'>('logits', 'labels'))
        .map(([x, t, c, wrt]) => inst(`softmaxXentGrad ${wrt} ${JSON.stringify(x.shape)}`, [x, t, c], ([a, b, d]) => P.softmaxXentGrad(wrt, a, b, d)))
    )
  },
  // derived ops
  binary('sub', O.sub, {}),
  unary('square', O.square, {}),
  reduction('mean', (x, axes, keep) => O.mean(x, axes, keep), {}),
  reduction('variance', (x, axes, keep) => O.variance(x, axes, keep), {}),
  reduction('logSumExp', (x, axes, keep) => O.logSumExp(x, axes, keep), { min: -3, max: 3 }),
  unary('relu', O.relu, { awayFromZero: 0.05 }, false),
  unary('sigmoid', O.sigmoid, { min: -4, max: 4 }),
  unary('softplus', O.softplus, { min: -4, max: 4 }),
  unary('elu', (x) => O.elu(x), { awayFromZero: 0.05 }, false),
  unary('selu', O.selu, { awayFromZero: 0.05 }, false),
  unary('leakyRelu', (x) => O.leakyRelu(x), { awayFromZero: 0.05 }, false),
  unary('silu', O.silu, { min: -4, max: 4 }),
  unary('gelu', (x) => O.gelu(x), { min: -3, max: 3 }, true, undefined, 4),
  unary('geluTanh', (x) => O.gelu(x, true), { min: -3, max: 3 }),
  {
    name: 'softmax',
    arb: shapeArb(1, 3).chain((s) => fc.tuple(tensorOf(s), fc.integer({ min: 0, max: s.length - 1 }))).map(([x, axis]) => inst(`softmax axis=${axis}`, [x], ([a]) => O.softmax(a, axis), true, true, 4))
  },
  {
    name: 'logSoftmax',
    arb: shapeArb(1, 3).chain((s) => fc.tuple(tensorOf(s), fc.integer({ min: 0, max: s.length - 1 }))).map(([x, axis]) => inst(`logSoftmax axis=${axis}`, [x], ([a]) => O.logSoftmax(a, axis), true, true, 4))
  },
  {
    name: 'clip',
    arb: shapeArb(0, 3).chain((s) => tensorOf(s, { min: -2, max: 2 })).map((x) => {
      const shifted = fromBuffer(Float64Array.from(dataF64(x), (v) => (Math.abs(Math.abs(v) - 1) < 0.05 ? v + 0.1 : v)), x.shape)
      return inst('clip', [shifted], ([a]) => O.clip(a, -1, 1), false)
    })
  },
  {
    name: 'oneHot',
    arb: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }).map((idx) => {
      const it = fromBuffer(Int32Array.from(idx), [idx.length], 'int32')
      return inst('oneHot', [fromBuffer(new Float64Array([1]), [1])], ([a]) => P.mul(O.oneHot(it, 5), a), true)
    })
  },
  {
    name: 'dot',
    arb: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([m, k]) => fc.tuple(tensorOf([m, k]), tensorOf([k]))).map(([a, b]) => inst('dot', [a, b], ([x, y]) => O.dot(x, y)))
  }
]
