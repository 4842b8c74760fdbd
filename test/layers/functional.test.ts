import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import {
  input, model, call, dense, concatenate, average, multiply, layers, sequential, Model, tensor, toArray, key, valueAndGrad, sum,
  TensorfoldError, type Tensor
} from '../../src/index.js'
import type { Tree } from '../../src/core/Tree.js'

const errOf = (f: () => unknown): TensorfoldError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(TensorfoldError)
    return e as TensorfoldError
  }
  throw new Error('expected a throw')
}

describe('the functional API', () => {
  it('two outputs from one shared layer are named out, out_1 and share weights (the Keras example)', () => {
    const inputs = input({ shape: [3] })
    const d = dense(2, { name: 'out' })
    const output1 = call(d, inputs)
    const output2 = call(d, inputs)
    const m = model({ inputs, outputs: [output1, output2] })
    expect(m.outputNames).toEqual(['out', 'out_1'])
    expect(m.weights.map((w) => w.name)).toEqual(['out/kernel', 'out/bias'])
    expect(m.layers.map((l) => `${l.name}:${l.kind}`)).toEqual(['input:InputLayer', 'out:Dense'])
    const [p1, p2] = m.predict(tensor([[1, 2, 3], [4, 5, 6]]))
    expect(p1.shape).toEqual([2, 2])
    expect(toArray(p1)).toEqual(toArray(p2))
    expect(m.countParams()).toBe(8)
  })
  it('call(layer)(x) reads like Dense(2)(inputs); pipe chains layers', () => {
    const inputs = input({ shape: [4] })
    const y = pipe(inputs, call(dense(8, { activation: 'relu' })), call(dense(2)))
    expect(y.shape).toEqual([null, 2])
    const m = model({ inputs, outputs: y })
    expect(m.layers.map((l) => l.name)).toEqual(['input', 'dense', 'dense_1'])
    expect(m.predict([[1, 2, 3, 4]]).shape).toEqual([1, 2])
  })
  it('several inputs (array or record), merge layers, outputs as a record', () => {
    const a = input({ shape: [4], name: 'a' })
    const b = input({ shape: [4], name: 'b' })
    const h = call(concatenate(), [a, b])
    expect(h.shape).toEqual([null, 8])
    const s = call(layers.add(), [call(dense(3), a), call(dense(3), b)])
    const avg = call(average(), [s, s])
    const prod = call(multiply(), [s, avg])
    const m = model({ inputs: [a, b], outputs: { joined: call(dense(1), h), prod }, name: 'two_in' })
    expect(m.inputNames).toEqual(['a', 'b'])
    expect(m.outputNames).toEqual(['joined', 'prod'])
    const xa = tensor([[1, 2, 3, 4]])
    const xb = tensor([[0, 1, 0, 1]])
    const p = m.predict([xa, xb])
    expect(p.joined.shape).toEqual([1, 1])
    expect(p.prod.shape).toEqual([1, 3])
    const q = m.predict({ a: xa, b: xb })
    expect(toArray(q.prod)).toEqual(toArray(p.prod))
    expect(errOf(() => m.predict({ a: xa } as never))._tag).toBe('InvalidData')
  })
  it('shape errors name the layer and both shapes', () => {
    const x = input({ shape: [4] })
    const e = errOf(() => call(dense(2, { inputShape: [5], name: 'd5' }), x))
    expect(e._tag).toBe('IncompatibleInputShape')
    expect(e.message).toContain('d5')
    expect(e.message).toContain('(None, 5)')
    expect(e.message).toContain('(None, 4)')
    const y = input({ shape: [3] })
    expect(errOf(() => call(concatenate(), [x, input({ shape: [2, 2] })]))._tag).toBe('IncompatibleInputShape')
    expect(E.isLeft(Model.connect(layers.add(), [x, y]))).toBe(true)
  })
  it('graph errors: disconnected inputs, duplicate names', () => {
    const a = input({ shape: [2] })
    const b = input({ shape: [2] })
    expect(errOf(() => model({ inputs: a, outputs: call(layers.add(), [a, b]) }))._tag).toBe('DisconnectedGraph')
    expect(errOf(() => model({ inputs: a, outputs: call(dense(1, { name: 'x' }), call(dense(1, { name: 'x' }), a)) }))._tag).toBe('DuplicateLayerName')
    expect(E.isLeft(Model.make({ inputs: a, outputs: 3 as never }))).toBe(true)
  })
  it('forward is pure and differentiable; shared weights get the sum of both gradients', () => {
    const inputs = input({ shape: [3] })
    const d = dense(1, { name: 'out', useBias: false })
    const m = model({ inputs, outputs: [call(d, inputs), call(d, inputs)] })
    const x = tensor([[1, 2, 3]])
    const [, g] = valueAndGrad((p: Tree) => {
      const [o1, o2] = m.forward(p, m.state, [x], { training: false, key: key(0) }).outputs
      return sum(layers.add().apply({}, {})([o1, o2], { training: false, key: key(0) }).y)
    })(m.params)
    expect(toArray((g as { out: { kernel: Tensor } }).out.kernel)).toEqual([[2], [4], [6]])
  })
  it('a functional model nests in sequential and in another model', () => {
    const inputs = input({ shape: [3] })
    const inner = model({ inputs, outputs: call(dense(2), inputs), name: 'inner' })
    const s = sequential([dense(3, { inputShape: [4] }), inner, dense(1)])
    expect(s.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias', 'inner/dense/kernel', 'inner/dense/bias', 'dense_1/kernel', 'dense_1/bias'])
    expect(s.predict([[1, 2, 3, 4]]).shape).toEqual([1, 1])
    const x = input({ shape: [3] })
    const outer = model({ inputs: x, outputs: call(inner, x) })
    expect(outer.predict([[1, 1, 1]]).shape).toEqual([1, 2])
  })
  it('summary, getLayer, setWeights, both surfaces', () => {
    const inputs = input({ shape: [3] })
    const m = model({ inputs, outputs: call(dense(2), inputs), name: 'f' })
    const s = m.summary({ printFn: () => undefined })
    expect(s).toContain('Model: "f"')
    // a chain is summarised with the Sequential layout (Keras 2.15 print_summary's `sequential_like`)
    expect(s).not.toContain('Connected to')
    const branched = model({ inputs, outputs: [call(dense(2), inputs), call(dense(1), inputs)], name: 'b' }).summary({ printFn: () => undefined })
    expect(branched).toContain('Connected to')
    expect(branched).toContain(` dense_1 (Dense)             (None, 1)                    4         ['input[0][0]']${' '.repeat(15)}\n`)
    expect(s).toContain('input (InputLayer)')
    expect(s).toContain('Total params: 8')
    expect(pipe(m, Model.getLayer('dense'), E.map((l) => l.kind))).toEqual(E.right('Dense'))
    expect(errOf(() => m.getLayer('nope')).message).toContain("Existing layers are: ['input', 'dense']")
    const z = m.setWeights([[[0, 0], [0, 0], [0, 0]], [1, 2]])
    expect(toArray(z.predict([[5, 5, 5]]))).toEqual([[1, 2]])
    expect(pipe(m, Model.setWeights([1] as never), E.mapLeft((e) => e._tag))).toEqual(E.left('WeightCountMismatch'))
    expect(pipe(m, Model.predict([[1, 2, 3]]), E.map((t) => t.shape))).toEqual(E.right([1, 2]))
    expect(m.ensureBuilt([[null, 3]])).toEqual(E.right(m))
    expect(E.isLeft(m.ensureBuilt([[null, 4]]))).toBe(true)
  })
})
