import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import {
  sequential, dense, dropout, flatten, input, layers, Sequential, Model, call, tensor, toArray, key, grad, valueAndGrad, sum, mul, sub,
  TensorfoldError, type Tensor, type AnyLayer, zeros, ones
} from '../../src/index.js'
import type { Tree } from '../../src/core/Tree.js'

const quiet = { printFn: () => undefined }
const tagOf = (f: () => unknown): string | undefined => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(TensorfoldError)
    return (e as TensorfoldError)._tag
  }
  return undefined
}
const errOf = (f: () => unknown): TensorfoldError => {
  try {
    f()
  } catch (e) {
    return e as TensorfoldError
  }
  throw new Error('expected a throw')
}
const data = (n: number, d: number): Tensor => tensor(Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(i * 7 + j))))
const arr = (t: Tensor) => toArray(t)

describe('the tf.keras Sequential documentation, transcribed', () => {
  it('model.add(Input(shape=(16,))); model.add(Dense(8)) -> built, 2 weights', () => {
    let model: Sequential = sequential()
    model = model.add(input({ shape: [16] }))
    model = model.add(dense(8))
    expect(model.built).toBe(true)
    expect(model.weights.length).toBe(2)
    expect(model.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias'])
    expect(model.weights.map((w) => w.shape)).toEqual([[16, 8], [8]])
    expect(model.inputShape).toEqual([null, 16])
    expect(model.outputShape).toEqual([null, 8])
  })
  it('without an Input the model has no weights until built', () => {
    const model = sequential().add(dense(8)).add(dense(4))
    expect(model.built).toBe(false)
    expect(model.weights.length).toBe(0)
    expect(model.getLayer(1).name).toBe('dense_1')
  })
  it('the delayed-build pattern: build((None, 16)) -> 4 weights', () => {
    const model = sequential().add(dense(8)).add(dense(4))
    const built = model.build([null, 16])
    expect(built.weights.length).toBe(4)
    expect(built.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias'])
    expect(model.weights.length).toBe(0) // the deferred model is unchanged
  })
  it('a first layer with inputShape builds at once: dense(8, {inputShape: [16]}) then dense(4) -> 4 weights', () => {
    const model = sequential([dense(8, { inputShape: [16] }), dense(4)])
    expect(model.weights.length).toBe(4)
    expect(model.countParams()).toBe(16 * 8 + 8 + 8 * 4 + 4)
  })
  it('the delayed model is built by the first predict or call on data (same weights as build)', () => {
    const model = sequential().add(dense(8)).add(dense(1))
    const x = data(40, 16)
    const p = model.predict(x, { batchSize: 32 })
    expect(p.shape).toEqual([40, 1])
    expect(arr(model.build([null, 16]).predict(x))).toEqual(arr(p))
    expect(arr(model.call(x))).toEqual(arr(p))
    expect(model.built).toBe(false)
  })
  it('ensureBuilt (what fit uses) builds for the data shape', () => {
    const model = sequential().add(dense(8)).add(dense(1))
    const built = orThrow(model.ensureBuilt([[null, 16]]))
    expect(built.built).toBe(true)
    expect(built.weights.length).toBe(4)
    expect(orThrow(built.ensureBuilt([[null, 16]]))).toBe(built)
  })
})

const orThrow = <A>(e: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left.message)
  return e.right
}

describe('Keras errors, tagged (both surfaces)', () => {
  it('adding something that is not a layer', () => {
    expect(tagOf(() => sequential().add({ foo: 1 } as never))).toBe('NotALayer')
    expect(tagOf(() => sequential([42] as never))).toBe('NotALayer')
    const r = Sequential.add(sequential(), 'dense' as never)
    expect(E.isLeft(r) && r.left._tag).toBe('NotALayer')
  })
  it('duplicate layer names', () => {
    const e = errOf(() => sequential([dense(2, { name: 'a' }), dense(3, { name: 'a' })]))
    expect(e._tag).toBe('DuplicateLayerName')
    expect(e.message).toContain('"a"')
    expect(E.isLeft(Sequential.make([dense(2, { name: 'a' }), dense(3, { name: 'a' })]))).toBe(true)
    // an auto-named layer never clashes: it is numbered past the taken names
    expect(sequential([dense(2, { name: 'dense' }), dense(3)]).layers.map((l) => l.name)).toEqual(['dense', 'dense_1'])
  })
  it('a multi-output layer in a sequential model', () => {
    const inputs = input({ shape: [3] })
    const d = dense(2)
    const m = orThrow(Model.make({ inputs, outputs: [pipeCall(d, inputs), pipeCall(d, inputs)] }))
    expect(m.multiOutput).toBe(true)
    expect(tagOf(() => sequential().add(m as never))).toBe('MultiOutputLayer')
  })
  it('a layer whose input shape is incompatible names both shapes and the layer', () => {
    const e = errOf(() => sequential([dense(8, { inputShape: [16] }), dense(4, { inputShape: [5] })]))
    expect(e._tag).toBe('IncompatibleInputShape')
    expect(e.message).toContain('dense_1')
    expect(e.message).toContain('(None, 5)')
    expect(e.message).toContain('(None, 8)')
    const r = errOf(() => sequential([flatten({ inputShape: [7] }), layers.reshape([2, 2])]))
    expect(r._tag).toBe('IncompatibleInputShape')
    expect(r.message).toContain('reshape')
    // data of the wrong shape for a built model
    const m = sequential([dense(2, { inputShape: [3] })])
    const p = errOf(() => m.predict(data(4, 5)))
    expect(p._tag).toBe('IncompatibleInputShape')
    expect(p.message).toContain('(None, 3)')
  })
  it('pop() on an empty model', () => {
    expect(tagOf(() => sequential().pop())).toBe('EmptyModel')
    expect(pipe(Sequential.pop(sequential()), E.mapLeft((e) => e._tag))).toEqual(E.left('EmptyModel'))
  })
  it('build() with no shape', () => {
    expect(tagOf(() => sequential([dense(2)]).build())).toBe('MissingInputShape')
    expect(E.isLeft(Sequential.build(sequential([dense(2)])))).toBe(true)
    const built = sequential([dense(2, { inputShape: [3] })])
    expect(built.build()).toBe(built)
  })
  it('summary() / countParams() / getWeights() before build', () => {
    const m = sequential([dense(2)])
    expect(tagOf(() => m.summary(quiet))).toBe('NotBuilt')
    expect(tagOf(() => m.countParams())).toBe('NotBuilt')
    expect(tagOf(() => m.getWeights())).toBe('NotBuilt')
    expect(E.isLeft(Sequential.summary(m))).toBe(true)
    expect(E.isLeft(Sequential.countParams(m))).toBe(true)
  })
  it('getLayer with an unknown name or an index out of range', () => {
    const m = sequential([dense(2), dense(3)])
    const e = errOf(() => m.getLayer('foo'))
    expect(e._tag).toBe('LayerNotFound')
    expect(e.message).toContain("Existing layers are: ['dense', 'dense_1']")
    expect(tagOf(() => m.getLayer(2))).toBe('LayerNotFound')
    expect(m.getLayer('dense_1').name).toBe('dense_1')
    expect(pipe(m, Sequential.getLayer(0), E.map((l) => l.name))).toEqual(E.right('dense'))
  })
  it('setWeights: count and shape errors', () => {
    const m = sequential([dense(2, { inputShape: [3] })])
    expect(tagOf(() => m.setWeights([zeros([3, 2])]))).toBe('WeightCountMismatch')
    const e = errOf(() => m.setWeights([zeros([3, 2]), zeros([3])]))
    expect(e._tag).toBe('WeightShapeMismatch')
    expect(e.message).toContain('dense/bias')
    expect(tagOf(() => sequential([dense(2)]).setWeights([]))).toBe('NotBuilt')
  })
  it('input() after layers', () => {
    expect(tagOf(() => sequential([dense(2)]).add(input({ shape: [3] })))).toBe('InputAlreadySet')
  })
})

const pipeCall = (l: AnyLayer, x: ReturnType<typeof input>) => orThrow(Model.connect(l, x as never)) as ReturnType<typeof input>

describe('immutability', () => {
  it('add, pop, build and setWeights return new models and leave the old one unchanged', () => {
    const m0 = sequential([dense(4, { inputShape: [3] })])
    const w0 = m0.getWeights().map(arr)
    const m1 = m0.add(dense(2))
    const m2 = m1.pop()
    const m3 = m0.setWeights([ones([3, 4]), ones([4])])
    expect(m0.layers.length).toBe(1)
    expect(m1.layers.length).toBe(2)
    expect(m2.layers.length).toBe(1)
    expect(m0.getWeights().map(arr)).toEqual(w0)
    expect(arr(m3.getWeights()[0])).toEqual([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]])
    expect(Object.isFrozen(m0)).toBe(true)
    expect(Object.isFrozen(m0.layers)).toBe(true)
    expect(Object.isFrozen(m0.layers[0])).toBe(true)
    expect(m2.getWeights().map(arr)).toEqual(w0)
  })
  it('same seed, same weights; another seed, other weights', () => {
    const a = sequential([dense(3, { inputShape: [2] }), dense(1)], { seed: 5 })
    const b = sequential().add(dense(3)).add(dense(1))
    const b5 = sequential([dense(3), dense(1)], { seed: 5 }).build([null, 2])
    expect(a.getWeights().map(arr)).toEqual(b5.getWeights().map(arr))
    expect(b.build([null, 2]).getWeights().map(arr)).not.toEqual(a.getWeights().map(arr))
  })
})

describe('the model surface', () => {
  it('summary prints the Keras table', () => {
    const lines: string[] = []
    const m = sequential([dense(8, { inputShape: [16] }), dense(4)])
    const s = m.summary({ printFn: (l) => lines.push(l) })
    expect(lines.join('\n')).toBe(s)
    expect(s).toContain('Model: "sequential"')
    expect(s).toMatch(/ Layer \(type\) {16}Output Shape {14}Param #/)
    expect(s).toMatch(/ dense \(Dense\) {15}\(None, 8\) {17}136/)
    expect(s).toMatch(/ dense_1 \(Dense\) {13}\(None, 4\) {17}36/)
    expect(s).toContain('Total params: 172 (688.00 Byte)')
    expect(s).toContain('Trainable params: 172 (688.00 Byte)')
    expect(s).toContain('Non-trainable params: 0 (0.00 Byte)')
    expect(E.isRight(Sequential.summary(m))).toBe(true)
  })
  it('weights, trainableWeights, getWeights/setWeights round trip', () => {
    const m = sequential([dense(3, { inputShape: [2] }), dropout(0.5), dense(1, { useBias: false })])
    expect(m.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel'])
    expect(m.trainableWeights.length).toBe(3)
    const ws = m.getWeights()
    const m2 = m.setWeights(ws.map((w) => mul(w, 2)))
    expect(arr(m2.getWeights()[1])).toEqual(arr(mul(ws[1], 2)))
    expect(pipe(m, Sequential.setWeights(ws), E.map((x) => x.getWeights().length))).toEqual(E.right(3))
    // nested arrays are weights too
    expect(arr(m.setWeights([[[1, 2, 3], [4, 5, 6]], [0, 0, 0], [[1], [1], [1]]]).predict([[1, 1]]))).toEqual([[21]])
  })
  it('predict batches over the first axis and accepts tensors, nested arrays and typed arrays with a shape', () => {
    const m = sequential([dense(2, { inputShape: [3] })])
    const x = data(70, 3)
    const all = m.predict(x, { batchSize: 1000 })
    const batched = m.predict(x, { batchSize: 16 })
    expect(batched.shape).toEqual([70, 2])
    const a = (batched.dataSync() as Float32Array)
    const b = (all.dataSync() as Float32Array)
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5))
    expect(arr(m.predict(toArray(x) as number[][]))).toEqual(arr(all))
    expect(arr(m.predict({ data: x.dataSync(), shape: [70, 3] }))).toEqual(arr(all))
    expect(pipe(m, Sequential.predict(x), E.map((t) => t.shape))).toEqual(E.right([70, 2]))
  })
  it('forward is pure and differentiable (what training uses)', () => {
    const m = sequential([dense(4, { inputShape: [3], activation: 'tanh' }), dropout(0.2), dense(1)])
    const x = data(5, 3)
    const y = data(5, 1)
    const loss = (p: Tree) => sum(mul(sub(m.forward(p, m.state, [x], { training: true, key: key(1) }).outputs[0], y), sub(m.forward(p, m.state, [x], { training: true, key: key(1) }).outputs[0], y)))
    const [l, g] = valueAndGrad(loss)(m.params)
    expect(Number.isFinite(l.item())).toBe(true)
    const gs = g as ReadonlyArray<{ readonly kernel: Tensor }>
    expect(gs[0].kernel.shape).toEqual([3, 4])
    expect(gs[2].kernel.shape).toEqual([4, 1])
    expect(grad(loss)(m.params)).toHaveLength(3)
  })
  it('a sequential model nests as a layer, and its weights are named under it', () => {
    const inner = sequential([dense(3), dense(2)])
    const outer = sequential([dense(4, { inputShape: [2] }), inner, sequential([dense(1)])])
    expect(outer.layers.map((l) => l.name)).toEqual(['dense', 'sequential', 'sequential_1'])
    expect(outer.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias', 'sequential/dense/kernel', 'sequential/dense/bias', 'sequential/dense_1/kernel', 'sequential/dense_1/bias', 'sequential_1/dense/kernel', 'sequential_1/dense/bias'])
    expect(outer.predict([[1, 2]]).shape).toEqual([1, 1])
  })
  it('the functional surface is data-first and data-last', () => {
    const m = sequential()
    const a = Sequential.add(m, dense(2))
    const b = pipe(m, Sequential.add(dense(2)))
    expect(E.isRight(a) && E.isRight(b)).toBe(true)
    const built = pipe(
      Sequential.make([dense(3), dense(1)]),
      E.chain(Sequential.build([null, 4])),
      E.chain(Sequential.countParams)
    )
    expect(built).toEqual(E.right(4 * 3 + 3 + 3 + 1))
  })
})

describe('Keras semantics (issue 15 items 1, 2)', () => {
  it('sequential(layer): one layer, not in a list, is a one-layer model (Keras 2.15 Sequential.__init__: `if not isinstance(layers, (list, tuple)): layers = [layers]`)', () => {
    const m = sequential(dense(1, { inputShape: [3] }))
    expect(m.layers.length).toBe(1)
    expect(m.built).toBe(true)
    expect(m.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias'])
    expect(E.isRight(Sequential.make(dense(2)))).toBe(true)
    const deferred = sequential(dense(2))
    expect(deferred.built).toBe(false)
    expect(deferred.predict(data(2, 5)).shape).toEqual([2, 2])
  })

  it('NotALayer says what the value lacks (and never shows a layer as the culprit)', () => {
    const e = errOf(() => sequential([{ name: 'x', kind: 'X', init: () => undefined } as never]))
    expect(e._tag).toBe('NotALayer')
    expect(e.message).toContain('without apply (a function)')
    const f = errOf(() => sequential([dense as never]))
    expect(f.message).toContain("a function named 'dense': a layer constructor must be called")
    expect(errOf(() => sequential(42 as never)).message).toContain('number: 42')
  })

  it('popping the only layer un-builds the model (Keras 2.15 Sequential.pop: `if not self.layers: outputs = None; inputs = None; built = False`)', () => {
    for (const m of [sequential([dense(2, { inputShape: [3] })]), sequential([input({ shape: [3] }), dense(2)]), sequential([dense(2)], { inputShape: [3] })]) {
      expect(m.built).toBe(true)
      const p = m.pop()
      expect(p.built).toBe(false)
      expect(p.outputShape).toBeUndefined()
      expect(p.inputShape).toBeUndefined()
      expect(p.weights).toEqual([])
      expect(p.layers).toEqual([])
      // it is a deferred model again: the next layer builds on the next data, of any width
      const again = p.add(dense(1))
      expect(again.built).toBe(false)
      expect(again.predict(data(2, 5)).shape).toEqual([2, 1])
      expect(m.built).toBe(true)
    }
    // popping one of two keeps the model built, with the first layer's output
    const two = sequential([dense(2, { inputShape: [3] }), dense(1)]).pop()
    expect(two.built).toBe(true)
    expect(two.outputShape).toEqual([null, 2])
  })
})

describe('summary as Keras 2.15 prints it (issue 15 item 12)', () => {
  it('one printFn call per line, rows padded to the width, a blank row after every layer (the last too), sizes in bytes after the totals', () => {
    // Keras 2.15 layer_utils.print_summary: print_fn per line; print_row pads each column to its position;
    // print_layer prints a blank line (" " * line_length) after each top-level layer; totals are
    // f"Total params: {n} ({readable_memory_size(bytes)})" without thousands separators
    const lines: string[] = []
    const m = sequential([dense(300, { inputShape: [16] }), dense(4)], { name: 'big' })
    const s = m.summary({ printFn: (l) => lines.push(l) })
    expect(s).toBe(lines.join('\n'))
    expect(lines).toEqual([
      'Model: "big"',
      '_'.repeat(65),
      ' Layer (type)                Output Shape              Param #   ',
      '='.repeat(65),
      ' dense (Dense)               (None, 300)               5100      ',
      ' '.repeat(65),
      ' dense_1 (Dense)             (None, 4)                 1204      ',
      ' '.repeat(65),
      '='.repeat(65),
      'Total params: 6304 (24.62 KB)',
      'Trainable params: 6304 (24.62 KB)',
      'Non-trainable params: 0 (0.00 Byte)',
      '_'.repeat(65)
    ])
  })

  it('long fields wrap onto more lines, breaking after "),", as Keras print_row does; lineLength is honoured', () => {
    const inputs = [input({ shape: [2], name: 'a_rather_long_input_name' }), input({ shape: [2], name: 'another_long_input_name' })]
    const m = Model.make({ inputs, outputs: call(layers.concatenate(), inputs), name: 'w' })
    const lines = E.isRight(m) ? m.right.summary({ printFn: () => undefined }).split('\n') : []
    const row = lines.findIndex((l) => l.startsWith(' concatenate'))
    // columns at 29, 58, 68 of 98; the last column holds 30 characters, and a cut ends after "',"
    expect(lines[row]).toBe(" concatenate (Concatenate)   (None, 4)                    0         ['a_rather_long_input_name[0][")
    expect(lines[row + 1]).toBe(' '.repeat(68) + "0]',".padEnd(30))
    expect(lines[row + 2]).toBe(' '.repeat(68) + " 'another_long_input_name[0][0")
    expect(lines[row + 3]).toBe(' '.repeat(68) + "]']".padEnd(30))
    expect(lines[row + 4]).toBe(' '.repeat(98))
    // the first column wraps too (it holds 26 characters after its leading space)
    expect(lines.slice(4, 6)).toEqual([' a_rather_long_input_name (  [(None, 2)]                  0         []                            ', ' InputLayer)'.padEnd(98)])
    expect(lines.every((l) => l.length <= 98)).toBe(true)
    const narrow = sequential([dense(2, { inputShape: [3] })]).summary({ printFn: () => undefined, lineLength: 40 }).split('\n')
    expect(narrow[1]).toBe('_'.repeat(40))
  })
})

describe('summary() in a notebook', () => {
  it('with no options prints once and returns nothing (Keras); with options returns the table too', () => {
    const m = sequential([dense(2, { inputShape: [3] })], { seed: 0 })
    const lines: string[] = []
    const log = console.log
    console.log = (l: string) => void lines.push(l)
    let r: unknown
    try {
      r = m.summary()
    } finally {
      console.log = log
    }
    expect(r).toBeUndefined()
    expect(lines.join('\n')).toBe(m.summary({ printFn: () => undefined }))
    expect(lines.join('\n')).toMatch(/Total params: 8/)
  })
})
