/**
 * Laws of layers and `sequential`, as pure predicates plus fast-check drivers (fp-ts-laws style).
 *
 * - `shapeLaw`: `init`'s output shape equals the shape of `apply`'s output;
 * - `seedLaw`: the same key gives the same params;
 * - `dropoutInferenceLaw`: a layer in inference (e.g. dropout) is the identity;
 * - `associativityLaw`: `sequential([sequential([a, b]), c])` and `sequential([a, sequential([b, c])])`
 *   compute the same function of the same weights;
 * - `identityLaw`: `sequential([identity(), a])`, `a` and `sequential([a, identity()])` agree.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, fromBuffer, dataF64, allocFloat, isTensor } from '../src/core/Tensor.js'
import type { Tree } from '../src/core/Tree.js'
import { type Key, key, split } from '../src/core/Key.js'
import { size } from '../src/core/Shape.js'
import type { AnyLayer, BatchShape } from '../src/layers/Layer.js'
import { sequential } from '../src/layers/sequential.js'
import { identity } from '../src/layers/core.js'
import * as L from '../src/layers/core.js'
import * as R from '../src/layers/recurrent.js'
import * as C from '../src/layers/conv.js'
import * as Sep from '../src/layers/separable.js'
import * as Pool from '../src/layers/pooling.js'

/** Largest absolute difference of two tensors of one shape (Infinity if the shapes differ). */
export const maxAbsDiff = (a: Tensor, b: Tensor): number => {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return Infinity
  const x = dataF64(a)
  const y = dataF64(b)
  let m = 0
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]))
  return m
}

const concreteShape = (s: BatchShape, batch: number): number[] => s.map((d) => (d === null ? batch : d))

/** A deterministic input of a shape, values in [−1, 1]. */
export const sampleInput = (shape: ReadonlyArray<number>, seed = 1): Tensor => {
  const n = size(shape)
  const d = allocFloat(n)
  for (let i = 0; i < n; i++) d[i] = Math.sin(seed * 12.9898 + i * 78.233) // no randomness needed: any spread of values will do
  return fromBuffer(d, shape)
}

/** `init`'s output shape equals the shape of `apply`'s output on data of the input shape. */
export const shapeLaw = (layer: AnyLayer, inputShape: BatchShape, batch = 2, training = false): boolean => {
  const r = layer.init(key(0), inputShape)
  if (E.isLeft(r)) return false
  const x = sampleInput(concreteShape(inputShape, batch))
  const y = layer.apply(r.right.params, r.right.state)(x, { training, key: key(1) }).y as Tensor
  const want = concreteShape(r.right.outputShape as BatchShape, batch)
  return y.shape.length === want.length && y.shape.every((d, i) => d === want[i])
}

const leavesEq = (a: Tree, b: Tree): boolean => JSON.stringify(flat(a)) === JSON.stringify(flat(b))
const flat = (t: Tree): unknown => (Array.isArray(t) ? t.map(flat) : isTensor(t) ? Array.from(dataF64(t)) : Object.fromEntries(Object.entries(t).map(([k, v]) => [k, flat(v)])))

/** The same key gives the same params (bit for bit). */
export const seedLaw = (layer: AnyLayer, inputShape: BatchShape, k: Key): boolean => {
  const a = layer.init(k, inputShape)
  const b = layer.init(k, inputShape)
  return E.isRight(a) && E.isRight(b) && leavesEq(a.right.params, b.right.params)
}

/** In inference the layer returns its input unchanged. */
export const inferenceIdentityLaw = (layer: AnyLayer, inputShape: BatchShape, k: Key): boolean => {
  const r = layer.init(k, inputShape)
  if (E.isLeft(r)) return false
  const x = sampleInput(concreteShape(inputShape, 3))
  const y = layer.apply(r.right.params, r.right.state)(x, { training: false, key: k }).y as Tensor
  return maxAbsDiff(x, y) === 0
}

/** Run a layer with given params on data (inference). */
const run = (l: AnyLayer, p: Tree, s: Tree, x: Tensor): Tensor => l.apply(p, s)(x, { training: false, key: key(0) }).y as Tensor

/**
 * Associativity: with params `pa, pb, pc` initialised once, `((a b) c)` with `[[pa, pb], pc]` and
 * `(a (b c))` with `[pa, [pb, pc]]` give the same outputs and the same output shape.
 */
export const associativityLaw = (a: AnyLayer, b: AnyLayer, c: AnyLayer, inputShape: BatchShape, tol = 1e-6): boolean => {
  const [ka, kb, kc] = split(key(7), 3)
  const ia = a.init(ka, inputShape)
  if (E.isLeft(ia)) return false
  const ib = b.init(kb, ia.right.outputShape)
  if (E.isLeft(ib)) return false
  const ic = c.init(kc, ib.right.outputShape)
  if (E.isLeft(ic)) return false
  const left = sequential([sequential([a, b] as never), c] as never) as unknown as AnyLayer
  const right = sequential([a, sequential([b, c] as never)] as never) as unknown as AnyLayer
  const sl = left.init(key(0), inputShape)
  const sr = right.init(key(0), inputShape)
  if (E.isLeft(sl) || E.isLeft(sr) || JSON.stringify(sl.right.outputShape) !== JSON.stringify(sr.right.outputShape)) return false
  const x = sampleInput(concreteShape(inputShape, 2))
  const [pa, pb, pc] = [ia.right.params, ib.right.params, ic.right.params]
  const [sa, sb, sc] = [ia.right.state, ib.right.state, ic.right.state]
  const yl = run(left, [[pa, pb], pc], [[sa, sb], sc], x)
  const yr = run(right, [pa, [pb, pc]], [sa, [sb, sc]], x)
  const direct = run(c, pc, sc, run(b, pb, sb, run(a, pa, sa, x)))
  return maxAbsDiff(yl, yr) <= tol && maxAbsDiff(yl, direct) <= tol
}

/** Identity is a unit: `sequential([identity(), a])`, `a`, `sequential([a, identity()])` agree. */
export const identityLaw = (a: AnyLayer, inputShape: BatchShape, tol = 0): boolean => {
  const ia = a.init(key(3), inputShape)
  if (E.isLeft(ia)) return false
  const x = sampleInput(concreteShape(inputShape, 2))
  const y = run(a, ia.right.params, ia.right.state, x)
  const lu = sequential([identity(), a] as never) as unknown as AnyLayer
  const ru = sequential([a, identity()] as never) as unknown as AnyLayer
  const yl = run(lu, [{}, ia.right.params], [{}, ia.right.state], x)
  const yr = run(ru, [ia.right.params, {}], [ia.right.state, {}], x)
  return maxAbsDiff(y, yl) <= tol && maxAbsDiff(y, yr) <= tol
}

// ---------------------------------------------------------------------------------------------------
// fast-check drivers

/** A layer with an input shape it accepts (small sizes). */
export interface LayerCase {
  readonly label: string
  readonly layer: AnyLayer
  readonly inputShape: BatchShape
}

const feat = fc.integer({ min: 1, max: 5 })

/** Random convolution and pooling layers (every kind, random geometry), with an input shape they accept. */
const windowCaseArb: fc.Arbitrary<LayerCase> = fc
  .record({
    rank: fc.constantFrom<1 | 2 | 3>(1, 2, 3),
    k: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    dil: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom<'valid' | 'same'>('valid', 'same'),
    c: fc.integer({ min: 1, max: 3 }),
    f: fc.integer({ min: 1, max: 3 }),
    extra: fc.integer({ min: 0, max: 3 }),
    which: fc.integer({ min: 0, max: 7 }),
    first: fc.boolean()
  })
  .map(({ rank, k, stride, dil, padding, c, f, extra, which, first }) => {
    const fmt = first ? 'channels_first' : 'channels_last'
    const d = stride > 1 ? 1 : dil
    const sp = Array.from({ length: 3 }, (_, i) => (k - 1) * d + 1 + extra + i)
    const shape2 = (r: number) => (fmt === 'channels_last' ? [null, ...sp.slice(0, r), c] : [null, c, ...sp.slice(0, r)])
    const opts = { strides: stride, padding, dataFormat: fmt } as const
    const cases: Array<[string, AnyLayer, number]> = [
      ['conv', C.convLayerE(rank, f, k, { ...opts, dilationRate: d }) as never, rank],
      ['conv2dTranspose', C.conv2dTransposeE(f, k, { ...opts, dilationRate: stride > 1 ? 1 : d }) as never, 2],
      ['depthwiseConv2d', Sep.depthwiseConv2dE(k, { ...opts, depthMultiplier: f, dilationRate: d }) as never, 2],
      ['separableConv2d', Sep.separableConv2dE(f, k, { ...opts, dilationRate: d }) as never, 2],
      ['maxPooling', Pool.poolingLayerE('max', rank, k, opts) as never, rank],
      ['averagePooling', Pool.poolingLayerE('avg', rank, k, opts) as never, rank],
      ['globalMaxPooling', Pool.globalPoolingLayerE('max', rank, { dataFormat: fmt, keepdims: first }) as never, rank],
      ['globalAveragePooling', Pool.globalPoolingLayerE('avg', rank, { dataFormat: fmt }) as never, rank]
    ]
    const [label, made, r] = cases[which]
    const layer = (made as unknown as E.Either<unknown, AnyLayer>)
    if (E.isLeft(layer)) throw new Error(`${label}: ${JSON.stringify(layer.left)}`)
    const inputShape = shape2(r) as BatchShape
    return { label: `${label} k=${k} s=${stride} d=${d} ${padding} ${fmt} on ${JSON.stringify(inputShape)}`, layer: layer.right, inputShape }
  })

/** Random single-input layers of every built-in kind, each with an input shape it accepts. */
export const layerCaseArb: fc.Arbitrary<LayerCase> = fc.oneof(
  fc.tuple(feat, feat, fc.integer({ min: 0, max: 1 }), fc.constantFrom('linear', 'relu', 'tanh', 'softmax', 'gelu')).map(([d, u, extra, act]) => {
    const inputShape: BatchShape = extra === 1 ? [null, 2, d] : [null, d]
    return { label: `dense(${u}, ${act}) on ${JSON.stringify(inputShape)}`, layer: L.dense(u, { activation: act as L.ActivationName }) as AnyLayer, inputShape }
  }),
  fc.tuple(fc.array(feat, { minLength: 1, maxLength: 3 }), fc.constantFrom(...(Object.keys(L.activations) as L.ActivationName[]))).map(([s, a]) => ({
    label: `activation(${a}) on ${JSON.stringify(s)}`,
    layer: L.activation(a) as AnyLayer,
    inputShape: [null, ...s]
  })),
  fc.tuple(fc.array(feat, { minLength: 1, maxLength: 3 }), fc.double({ min: 0, max: 0.9, noNaN: true })).map(([s, r]) => ({ label: `dropout(${r}) on ${JSON.stringify(s)}`, layer: L.dropout(r) as AnyLayer, inputShape: [null, ...s] })),
  fc.array(feat, { minLength: 1, maxLength: 3 }).map((s) => ({ label: `flatten on ${JSON.stringify(s)}`, layer: L.flatten() as AnyLayer, inputShape: [null, ...s] })),
  fc.tuple(feat, feat, fc.boolean()).map(([a, b, infer]) => ({ label: `reshape on [${a * b}]`, layer: L.reshape(infer ? [a, -1] : [b, a]) as AnyLayer, inputShape: [null, a * b] })),
  fc.array(feat, { minLength: 1, maxLength: 3 }).map((s) => ({ label: `identity on ${JSON.stringify(s)}`, layer: L.identity() as AnyLayer, inputShape: [null, ...s] })),
  fc.array(feat, { minLength: 1, maxLength: 3 }).map((s) => ({ label: `leakyRelu on ${JSON.stringify(s)}`, layer: L.leakyRelu() as AnyLayer, inputShape: [null, ...s] })),
  fc
    .tuple(fc.constantFrom('simpleRNN', 'lstm', 'gru'), feat, feat, fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(), fc.constantFrom(0, 0.3))
    .map(([kind, u, d, t, returnSequences, goBackwards, rate]) => {
      const opts = { returnSequences, goBackwards, dropout: rate, recurrentDropout: rate }
      const layer = (kind === 'lstm' ? R.lstm(u, opts) : kind === 'gru' ? R.gru(u, opts) : R.simpleRNN(u, opts)) as unknown as AnyLayer
      return { label: `${kind}(${u}, ${JSON.stringify(opts)}) on [${t}, ${d}]`, layer, inputShape: [null, t, d] as BatchShape }
    }),
  windowCaseArb
)

/** Three dense layers that chain, with their input shape. */
export const chainArb: fc.Arbitrary<{ readonly layers: readonly [AnyLayer, AnyLayer, AnyLayer]; readonly inputShape: BatchShape }> = fc
  .tuple(feat, feat, feat, feat, fc.constantFrom('linear', 'relu', 'tanh'))
  .map(([d, u1, u2, u3, act]) => ({
    layers: [L.dense(u1, { activation: act as L.ActivationName }) as AnyLayer, L.flatten() as AnyLayer, L.dense(u3) as AnyLayer] as const,
    inputShape: [null, u2, d] as BatchShape
  }))

/** Run every layer law with fast-check (throws with the counterexample on failure). */
export const checkLayerLaws = (numRuns = 30): void => {
  fc.assert(fc.property(layerCaseArb, (c) => shapeLaw(c.layer, c.inputShape) && shapeLaw(c.layer, c.inputShape, 3, true)), { numRuns })
  fc.assert(fc.property(layerCaseArb, fc.integer(), (c, s) => seedLaw(c.layer, c.inputShape, key(s))), { numRuns })
  fc.assert(fc.property(chainArb, (c) => associativityLaw(c.layers[0], c.layers[1], c.layers[2], c.inputShape)), { numRuns })
  fc.assert(fc.property(layerCaseArb, (c) => identityLaw(c.layer, c.inputShape)), { numRuns })
}
