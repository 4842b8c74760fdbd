/**
 * Every failure is tagged and the functional surface never throws (issue 13): inherited-key options,
 * a non-trainer given to Trainer.*, shapes past the allocation limits, nested arrays too deep.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, tensor, zeros, fromValues, matmul, layers, withBackend, ready, Ops, Sequential, Trainer, TensorfoldError } from '../../src/index.js'

const x = tensor([[1, 2, 3], [4, 5, 6]])
const y = tensor([[1], [2]])
const trainer = () => {
  const t = Trainer.compile(sequential([dense(1, { inputShape: [3] })]), { optimizer: 'sgd', loss: 'mse' })
  if (E.isLeft(t)) throw new Error(t.left.message)
  return t.right
}

describe('options with inherited keys are tagged errors', () => {
  for (const k of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
    it(`'${k}' in fit and compile options`, async () => {
      const r = await Trainer.fit(trainer(), x, y, { [k]: 1, verbose: 0 } as never)()
      expect(E.isLeft(r) && r.left._tag).toBe('InvalidOption')
      expect(E.isLeft(r) && r.left.message).toContain(`unknown option '${k}'`)
      const c = Trainer.compile(sequential([dense(1, { inputShape: [3] })]), { optimizer: 'sgd', loss: 'mse', [k]: 1 } as never)
      expect(E.isLeft(c) && c.left._tag).toBe('CompileError')
    })
  }
  it('an own __proto__ key', async () => {
    const o = JSON.parse('{"__proto__": {"epochs": 3}, "verbose": 0}')
    const r = await Trainer.fit(trainer(), x, y, o)()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidOption')
  })
})

describe('Trainer.* given something that is not a trainer', () => {
  it('fit, evaluate, predict, trainOnBatch answer a Left, not a function', async () => {
    const f = Trainer.fit({} as never, x, y, { verbose: 0 })
    expect(typeof f).toBe('function')
    const r = await f()
    expect(E.isLeft(r) && r.left._tag).toBe('NotAModel')
    const ev = await Trainer.evaluate({} as never, x, y, { verbose: 0 })()
    expect(E.isLeft(ev) && ev.left._tag).toBe('NotAModel')
    const p = await Trainer.predict({} as never, x, {})()
    expect(E.isLeft(p) && p.left._tag).toBe('NotAModel')
    const b = Trainer.trainOnBatch({} as never, x, y, {})
    expect(E.isLeft(b) && b.left._tag).toBe('NotAModel')
    // data-last, applied to a non-trainer
    const dl = await Trainer.fit(x, y, { verbose: 0 })({} as never)()
    expect(E.isLeft(dl) && dl.left._tag).toBe('NotAModel')
  })
})

describe('resource limits are tagged errors naming shape and limit', () => {
  it('zeros([1e9, 1e9]) throws a TensorfoldError ResourceLimit, not a RangeError', () => {
    let caught: unknown
    try {
      zeros([1e9, 1e9])
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(TensorfoldError)
    expect((caught as TensorfoldError).data._tag).toBe('ResourceLimit')
    expect((caught as TensorfoldError).message).toMatch(/\[1000000000, ?1000000000\].*limit of 2147483647/)
  })
  it('a 10,000-deep nested array: fromValues answers Left ResourceLimit, tensor throws it tagged', () => {
    let v: unknown = 1
    for (let i = 0; i < 10_000; i++) v = [v]
    const r = fromValues(v)
    expect(E.isLeft(r) && r.left._tag).toBe('ResourceLimit')
    expect(E.isLeft(r) && r.left.message).toMatch(/10000 deep, more than the limit of 64 axes/)
    expect(() => tensor(v as never)).toThrow(TensorfoldError)
  })
  it('a matmul too large for one webasm kernel throws ResourceLimit naming the shapes and the limit; Ops.matmul answers Left', async () => {
    await ready()
    withBackend('webasm', () => {
      const a = zeros([40000, 1])
      const b = zeros([1, 40000])
      let caught: unknown
      try {
        matmul(a, b)
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(TensorfoldError)
      expect((caught as TensorfoldError).data._tag).toBe('ResourceLimit')
      expect((caught as TensorfoldError).message).toMatch(/matmul: inputs \[40000, 1\], \[1, 40000\] and output \[40000, 40000\] need \d+ bytes .*limit of \d+ bytes/)
      const r = Ops.matmul(a, b)
      expect(E.isLeft(r) && r.left._tag).toBe('ResourceLimit')
    })
  })
  it('a dense layer of 2^30 units: building throws ResourceLimit with the kernel shape; Sequential.make and Trainer.fit answer Left', async () => {
    const huge = () => layers.dense(2 ** 30, { inputShape: [4] })
    let caught: unknown
    try {
      sequential([huge()])
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(TensorfoldError)
    expect((caught as TensorfoldError).data._tag).toBe('ResourceLimit')
    expect((caught as TensorfoldError).message).toMatch(/\[4, 1073741824\].*limit of 2147483647/)
    const m = Sequential.make([huge()])
    expect(E.isLeft(m) && m.left._tag).toBe('ResourceLimit')
    // a deferred model is built by its first fit: the Left comes from there
    const t = Trainer.compile(sequential([layers.dense(2 ** 30)]), { optimizer: 'sgd', loss: 'mse' })
    if (E.isLeft(t)) throw new Error(t.left.message)
    const r = await Trainer.fit(t.right, tensor([[1, 2, 3, 4]]), tensor([[1]]), { verbose: 0 })()
    expect(E.isLeft(r) && r.left._tag).toBe('ResourceLimit')
  })
})
