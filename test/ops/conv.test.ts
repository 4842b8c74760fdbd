/**
 * The convolution and pooling ops against TensorFlow.js (in-process, cpu backend): forward values and
 * gradients on the same inputs, on the float64 reference and the gpu.js backends, over strides,
 * paddings, dilations, groups and 1-/2-/3-d inputs.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { tensor, dataSync, conv, convTranspose, maxPool, avgPool, grad, sum, mul, add, reshape, withBackend, type Tensor, type BackendName } from '../../src/index.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const vals = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed + i * 1.37) * 1000) / 500)
const both = (shape: number[], seed: number): [Tensor, tf.Tensor] => {
  const v = vals(shape.reduce((a, b) => a * b, 1), seed)
  return [tensor(v, shape), tf.tensor(v, shape)]
}
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `at ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}
const backends: BackendName[] = ['reference', 'webasm']

interface Case2d {
  x: number[]
  w: number[]
  strides: number
  padding: 'valid' | 'same'
  dilation: number
}
const cases2d: Case2d[] = [
  { x: [2, 6, 5, 3], w: [3, 3, 3, 4], strides: 1, padding: 'valid', dilation: 1 },
  { x: [2, 6, 5, 3], w: [3, 2, 3, 4], strides: 1, padding: 'same', dilation: 1 },
  { x: [1, 7, 8, 2], w: [3, 3, 2, 3], strides: 2, padding: 'same', dilation: 1 },
  { x: [1, 7, 8, 2], w: [2, 3, 2, 3], strides: 2, padding: 'valid', dilation: 1 },
  { x: [2, 7, 7, 2], w: [3, 3, 2, 2], strides: 1, padding: 'same', dilation: 2 },
  { x: [1, 5, 5, 1], w: [1, 1, 1, 5], strides: 1, padding: 'valid', dilation: 1 }
]

describe.each(backends)('conv ops on %s agree with tfjs', (be) => {
  it.each(cases2d)('conv 2-d $x * $w strides $strides $padding dilation $dilation: values and both gradients', (c) => {
    const [x, tx] = both(c.x, 1)
    const [w, tw] = both(c.w, 2)
    withBackend(be, () => {
      const y = conv(x, w, { strides: c.strides, padding: c.padding, dilation: c.dilation })
      const ty = tf.conv2d(tx as tf.Tensor4D, tw as tf.Tensor4D, c.strides, c.padding, 'NHWC', c.dilation)
      expect(y.shape).toEqual(ty.shape)
      close(dataSync(y), ty.dataSync())
      // (tfjs has no gradients for dilated convolutions; the laws check those against finite differences)
      if (c.dilation > 1) return
      const [ct, tct] = both(ty.shape, 3)
      const f = (a: Tensor, b: Tensor) => sum(mul(conv(a, b, { strides: c.strides, padding: c.padding, dilation: c.dilation }), ct))
      const [gx, gw] = grad(([a, b]: Tensor[]) => f(a, b))([x, w]) as Tensor[]
      const tg = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.padding, 'NHWC', c.dilation), tct)))([tx, tw])
      close(dataSync(gx), tg[0].dataSync())
      close(dataSync(gw), tg[1].dataSync())
    })
  })
  it('conv 1-d with causal padding and dilation equals tfjs conv1d on the left-padded input', () => {
    const [x, tx] = both([2, 9, 3], 4)
    const [w, tw] = both([3, 3, 2], 5)
    withBackend(be, () => {
      const y = conv(x, w, { padding: 'causal', dilation: 2 })
      const ty = tf.conv1d(tf.pad(tx as tf.Tensor3D, [[0, 0], [4, 0], [0, 0]]) as tf.Tensor3D, tw as tf.Tensor3D, 1, 'valid', 'NWC', 2)
      close(dataSync(y), ty.dataSync())
    })
  })
  it('conv 3-d, strided, same', () => {
    const [x, tx] = both([1, 4, 5, 4, 2], 6)
    const [w, tw] = both([2, 3, 2, 2, 3], 7)
    withBackend(be, () => {
      const y = conv(x, w, { strides: [1, 2, 2], padding: 'same' })
      const ty = tf.conv3d(tx as tf.Tensor5D, tw as tf.Tensor5D, [1, 2, 2], 'same')
      close(dataSync(y), ty.dataSync())
      const g = grad((a: Tensor) => sum(mul(conv(a, w, { strides: [1, 2, 2], padding: 'same' }), conv(a, w, { strides: [1, 2, 2], padding: 'same' }))))(x)
      const tg = tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.conv3d(a as tf.Tensor5D, tw as tf.Tensor5D, [1, 2, 2], 'same'))))(tx)
      close(dataSync(g), tg.dataSync(), 1e-3)
    })
  })
  it('depthwise (groups = input channels, multiplier 2) equals tfjs depthwiseConv2d, with gradients', () => {
    const [x, tx] = both([2, 6, 6, 3], 8)
    const [w, tw] = both([3, 3, 3, 2], 9) // tfjs layout [kh, kw, in, multiplier]
    withBackend(be, () => {
      const y = conv(x, reshape(w, [3, 3, 1, 6]), { padding: 'same', groups: 3 })
      const ty = tf.depthwiseConv2d(tx as tf.Tensor4D, tw as tf.Tensor4D, 1, 'same')
      close(dataSync(y), ty.dataSync())
      const [gx, gw] = grad(([a, b]: Tensor[]) => sum(mul(conv(a, reshape(b, [3, 3, 1, 6]), { padding: 'same', groups: 3 }), y)))([x, w]) as Tensor[]
      const tg = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), ty)))([tx, tw])
      close(dataSync(gx), tg[0].dataSync(), 1e-3)
      close(dataSync(gw), tg[1].dataSync(), 1e-3)
    })
  })
  it('grouped convolution (2 groups) equals two convolutions side by side', () => {
    const [x] = both([1, 5, 5, 4], 10)
    const [w] = both([3, 3, 2, 6], 11)
    withBackend(be, () => {
      const y = dataSync(conv(x, w, { groups: 2, padding: 'same' }))
      const [tx, tw] = [tf.tensor4d(dataSync(x), [1, 5, 5, 4]), tf.tensor4d(dataSync(w), [3, 3, 2, 6])]
      const a = tf.conv2d(tx.slice([0, 0, 0, 0], [1, 5, 5, 2]), tw.slice([0, 0, 0, 0], [3, 3, 2, 3]), 1, 'same')
      const b = tf.conv2d(tx.slice([0, 0, 0, 2], [1, 5, 5, 2]), tw.slice([0, 0, 0, 3], [3, 3, 2, 3]), 1, 'same')
      close(y, tf.concat([a, b], 3).dataSync())
    })
  })
  it.each([
    { s: 1, p: 'valid' as const, k: 3 },
    { s: 2, p: 'same' as const, k: 3 },
    { s: 2, p: 'valid' as const, k: 2 },
    { s: 3, p: 'same' as const, k: 2 }
  ])('convTranspose strides $s $p k $k equals tfjs conv2dTranspose, with gradients', ({ s, p, k }) => {
    const [x, tx] = both([2, 4, 3, 3], 12)
    const [w, tw] = both([k, k, 2, 3], 13)
    withBackend(be, () => {
      const y = convTranspose(x, w, { strides: s, padding: p })
      const H = p === 'same' ? 4 * s : 4 * s + Math.max(k - s, 0)
      const W = p === 'same' ? 3 * s : 3 * s + Math.max(k - s, 0)
      expect(y.shape).toEqual([2, H, W, 2])
      const ty = tf.conv2dTranspose(tx as tf.Tensor4D, tw as tf.Tensor4D, [2, H, W, 2], s, p)
      close(dataSync(y), ty.dataSync())
      const [gx, gw] = grad(([a, b]: Tensor[]) => sum(mul(convTranspose(a, b, { strides: s, padding: p }), y)))([x, w]) as Tensor[]
      const tg = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, H, W, 2], s, p), ty)))([tx, tw])
      close(dataSync(gx), tg[0].dataSync(), 1e-3)
      close(dataSync(gw), tg[1].dataSync(), 1e-3)
    })
  })
  it.each([
    { win: 2, s: 2, p: 'valid' as const },
    { win: 3, s: 2, p: 'same' as const },
    { win: 3, s: 1, p: 'same' as const },
    { win: 2, s: 1, p: 'valid' as const }
  ])('maxPool / avgPool window $win strides $s $p equal tfjs, with gradients', ({ win, s, p }) => {
    // distinct values: tfjs sends a tied window's cotangent to one position, tensorfold shares it
    const v = vals(2 * 7 * 6 * 3, 14).map((e, i) => e + i * 1e-3)
    const [x, tx] = [tensor(v, [2, 7, 6, 3]), tf.tensor(v, [2, 7, 6, 3])]
    withBackend(be, () => {
      for (const [ours, theirs] of [
        [maxPool, tf.maxPool],
        [avgPool, tf.avgPool]
      ] as const) {
        const y = ours(x, win, { strides: s, padding: p })
        const ty = theirs(tx as tf.Tensor4D, win, s, p)
        expect(y.shape).toEqual(ty.shape)
        close(dataSync(y), ty.dataSync())
        // tfjs's avgPool gradient divides edge windows of 'same' padding by the full window size, which is
        // not the derivative of its own forward pass; the laws check ours against finite differences
        if (ours === avgPool && p === 'same') continue
        const g = grad((a: Tensor) => sum(mul(ours(a, win, { strides: s, padding: p }), y)))(x)
        const tg = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(theirs(a as tf.Tensor4D, win, s, p), ty)))(tx)
        close(dataSync(g), tg.dataSync())
      }
    })
  })
  it('max pooling shares the cotangent equally among tied maxima (as the max reduction does)', () => {
    const x = tensor([1, 3, 3, 2, 0, 3, 1, 1], [1, 2, 4, 1])
    withBackend(be, () => {
      const g = grad((a: Tensor) => sum(maxPool(a, [2, 2])))(x)
      expect(Array.from(dataSync(g))).toEqual([0, 0.5, 1, 0, 0, 0.5, 0, 0])
    })
  })
})

describe('compiled mode records the windowed primitives', () => {
  it('a jitted conv + pool training step (with a second-order term) equals eager, on first and later calls', async () => {
    const { jit } = await import('../../src/compile/jit.js')
    const { valueAndGrad, Tree, key, foldIn, relu, mean, square, sub, item } = await import('../../src/index.js')
    type Q = { w: Tensor; v: Tensor }
    const x = tensor(vals(2 * 6 * 6 * 2, 20), [2, 6, 6, 2])
    const step = (inp: { p: Q }) => {
      const loss = (p: Q) => {
        const h = avgPool(relu(conv(maxPool(conv(x, p.w, { padding: 'same' }), 2, { strides: 1 }), p.v, { strides: 2 })), 2, { padding: 'same' })
        // a gradient-norm penalty: differentiates through the conv VJPs
        const gx = grad((a: Tensor) => sum(square(conv(a, p.w, { padding: 'same' }))))(x)
        return add(mean(square(h)), mul(1e-3, mean(square(gx))))
      }
      const [l, g] = valueAndGrad(loss)(inp.p)
      return { p: Tree.zipWith(inp.p, g, (a, b) => sub(a, mul(0.1, b))), l }
    }
    const js = jit(step)
    let p1: Q = { w: tensor(vals(3 * 3 * 2 * 3, 21), [3, 3, 2, 3]), v: tensor(vals(2 * 2 * 3 * 2, 22), [2, 2, 3, 2]) }
    let p2 = p1
    for (let i = 0; i < 3; i++) {
      const a = step({ p: p1 })
      const b = js({ p: p2 }, foldIn(key(0), i))
      p1 = a.p
      p2 = b.p
      expect(item(b.l)).toBe(item(a.l))
    }
    expect(dataSync(p2.w)).toEqual(dataSync(p1.w))
    expect(js.stats()).toMatchObject({ traces: 1, replays: 2 })
  })
})
