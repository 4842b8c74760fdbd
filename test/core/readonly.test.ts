/**
 * Tensors cannot be written from outside (issue 13): the storage is a private field, and every value
 * reachable from a model, layer or trainer is frozen. The law `writesCannotChange` (tensorfold/laws)
 * tries every reachable write and checks that predictions and training stay bit for bit the same.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, dataSync, sequential, dense, dropout, layers, Tree, Trainer, input, call, model as functionalModel } from '../../src/index.js'
import { writesCannotChange } from '../../laws/index.js'

const x = tensor([
  [0.5, -1, 2],
  [1.5, 0.25, -0.75]
])
const y = tensor([[1], [0]])

const build = () => sequential([dense(4, { activation: 'relu', inputShape: [3] }), dropout(0.3), layers.batchNormalization(), dense(1, { activation: 'sigmoid' })])

const compiled = async (runEagerly: boolean) => {
  const t = Trainer.compile(build(), { optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'], runEagerly, seed: 3 })
  if (E.isLeft(t)) throw new Error(t.left.message)
  const r = await Trainer.fit(t.right, x, y, { epochs: 2, batchSize: 1, verbose: 0 })()
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right.trainer
}

describe('tensors cannot be written from outside', () => {
  it('the storage is not a public name (a type error) and writing through it fails at run time', () => {
    const m = build()
    const before = dataSync(m.predict(x) as never)
    const w = m.getWeights()[0]
    expect(() => {
      // @ts-expect-error a tensor's storage is private: `data` is not a public name
      w.data[0] = 1000
    }).toThrow(TypeError)
    expect(Object.keys(w)).not.toContain('data')
    expect(Object.getOwnPropertySymbols(w)).toEqual([])
    // the public readers copy
    dataSync(w)[0] = 1000
    expect(dataSync(m.predict(x) as never)).toEqual(before)
  })

  it('Tree.leaves(trainer.params)[0].data.fill(7) cannot change a trainer', async () => {
    const t = await compiled(false)
    const before = dataSync((await t.predict(x)) as never)
    const leaf = Tree.leaves(t.params)[0]
    // @ts-expect-error `data` is not a public name
    expect(() => leaf.data.fill(7)).toThrow(TypeError)
    expect(dataSync((await t.predict(x)) as never)).toEqual(before)
  })

  it('law: no write reachable from a sequential model, its layers and weights changes its predictions', async () => {
    const m = build().build([null, 3])
    const r = await writesCannotChange({ model: m, weights: m.getWeights(), layers: m.layers }, () => m.predict(x) as never)
    expect(r.reached).toBeGreaterThan(50)
    expect(r.ok, JSON.stringify(r.firstDifference)).toBe(true)
    // only the fresh array getWeights() returned (the caller's own) accepts writes
    expect(r.accepted.filter((p) => !p.replace(/^delete /, '').startsWith('weights'))).toEqual([])
  })

  it('law: the same for a functional model', async () => {
    const inp = input({ shape: [3] })
    const out = call(dense(2), call(dense(4, { activation: 'tanh' }), inp))
    const m = functionalModel({ inputs: inp, outputs: out })
    const r = await writesCannotChange({ model: m }, () => m.predict(x) as never)
    expect(r.ok).toBe(true)
    expect(r.accepted).toEqual([])
  })

  it('law: no write reachable from a trainer (compiled or eager) changes its predictions or its next training step', async () => {
    for (const runEagerly of [false, true]) {
      const t = await compiled(runEagerly)
      const observe = async () => {
        const p = (await t.predict(x)) as never
        const [t2] = t.trainOnBatch(x, y)
        return [p, ...Tree.leaves(t2.params), ...Tree.leaves(t2.optState ?? [])]
      }
      const r = await writesCannotChange({ trainer: t, params: Tree.leaves(t.params) }, observe)
      expect(r.ok, `${runEagerly}: ${JSON.stringify(r.firstDifference)}`).toBe(true)
      expect(r.accepted.filter((p) => !p.replace(/^delete /, '').startsWith('params'))).toEqual([])
    }
  })

  it('the law fails where a reachable buffer or object can be written', async () => {
    const buf = new Float32Array([1, 2, 3])
    const r1 = await writesCannotChange({ holder: { buf } }, () => Array.from(buf))
    expect(r1.ok).toBe(false)
    expect(r1.accepted).toContain('holder.buf[0]')
    const config = { scale: 2 }
    const r2 = await writesCannotChange({ m: Object.freeze({ config }) }, () => [config.scale])
    expect(r2.ok).toBe(false)
    expect(r2.accepted).toContain('m.config.scale')
  })
})
