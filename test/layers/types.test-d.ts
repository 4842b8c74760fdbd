import { describe, it, expectTypeOf } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import {
  sequential, dense, dropout, identity, input, model, call, layers, Sequential, Model, type Tensor, type DenseParams, type Empty, type LayerError,
  type SymbolicTensor, type Layer
} from '../../src/index.js'

describe('static types', () => {
  it("a sequential model's params are the tuple of its layers' params", () => {
    const m = sequential([dense(8, { inputShape: [16] }), dropout(0.5), dense(4)])
    expectTypeOf(m.params).toEqualTypeOf<readonly [DenseParams, Empty, DenseParams]>()
    expectTypeOf(m.state).toEqualTypeOf<readonly [Empty, Empty, Empty]>()
    // a model variable of the default type holds any sequential model (the Keras `model = model.add(...)` style)
    let any: Sequential = sequential()
    any = m
    expectTypeOf(any.params).toEqualTypeOf<ReadonlyArray<import('../../src/core/Tree.js').Tree>>()
    const withInput = sequential([input({ shape: [3] }), dense(2)])
    expectTypeOf(withInput.params).toEqualTypeOf<readonly [DenseParams]>()
    expectTypeOf(sequential().params).toEqualTypeOf<readonly []>()
  })
  it('add extends the tuple; pipe keeps the types', () => {
    const m = sequential([identity()]).add(dense(2))
    expectTypeOf(m.params).toEqualTypeOf<readonly [Empty, DenseParams]>()
    const e = pipe(sequential([dense(2)]), Sequential.add(dense(3)))
    expectTypeOf(e).toEqualTypeOf<E.Either<LayerError, Sequential<readonly [DenseParams, DenseParams], readonly [Empty, Empty]>>>()
  })
  it('nested sequential params nest', () => {
    const inner = sequential([dense(2), dense(3)])
    const outer = sequential([inner, dense(1)])
    expectTypeOf(outer.params).toEqualTypeOf<readonly [readonly [DenseParams, DenseParams], DenseParams]>()
  })
  it('call on symbolic tensors gives symbolic tensors; merge layers take arrays', () => {
    const x = input({ shape: [3] })
    expectTypeOf(call(dense(2), x)).toEqualTypeOf<SymbolicTensor>()
    expectTypeOf(call(layers.add(), [x, x])).toEqualTypeOf<SymbolicTensor>()
    const typeOnly = () => {
      expectTypeOf(call(dense(2), {} as Tensor)).toEqualTypeOf<Tensor>()
      // @ts-expect-error a merge layer needs an array
      call(layers.add(), x)
    }
    expectTypeOf(typeOnly).toBeFunction()
    expectTypeOf(pipe(x, call(dense(2)), call(dense(1)))).toEqualTypeOf<SymbolicTensor>()
  })
  it('predictions follow the outputs: one tensor, a tuple-like list, or a record', () => {
    const x = input({ shape: [3] })
    const one = model({ inputs: x, outputs: call(dense(1), x) })
    expectTypeOf(one.predict([[1, 2, 3]])).toEqualTypeOf<Tensor>()
    const rec = model({ inputs: x, outputs: { a: call(dense(1), x), b: call(dense(2), x) } })
    expectTypeOf(rec.predict([[1, 2, 3]])).toEqualTypeOf<{ readonly a: Tensor; readonly b: Tensor }>()
    expectTypeOf(Model.make).returns.toMatchTypeOf<E.Either<LayerError, unknown>>()
  })
  it('a Layer type fits AnyLayer-taking APIs and a multi-output layer does not fit sequential', () => {
    const l: Layer<DenseParams> = dense(2)
    expectTypeOf(l).toMatchTypeOf<Layer>()
    const typeOnly = () => {
      const two = {} as Layer<Empty, Empty, Tensor, ReadonlyArray<Tensor>>
      // @ts-expect-error a multi-output layer is not a sequential layer
      sequential([two])
    }
    expectTypeOf(typeOnly).toBeFunction()
    const x = input({ shape: [2] })
    const single = model({ inputs: x, outputs: call(dense(1), x) })
    expectTypeOf(sequential([single]).params).toEqualTypeOf<readonly [{ readonly [name: string]: import('../../src/core/Tree.js').Tree }]>()
  })
})
