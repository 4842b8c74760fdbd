/**
 * Keras's weight options on `embedding`: `embeddingsRegularizer` (added to the training loss),
 * `embeddingsConstraint` (applied after each update), `activityRegularizer`, `trainable` — accepted,
 * applied, and kept through TensorFlow.js files both ways.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sequential, layers as L, save, load, tensor, dataSync, regularizers, constraints } from '../../src/index.js'
import { tfjsSave, tfjsLoad } from '../io/helpers.js'

const root = join(process.cwd(), 'tmp', 'test-layers-embedding-options')
beforeAll(async () => {
  await tf.setBackend('cpu')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const x = tensor([[1, 2, 3, 0], [4, 1, 1, 2], [0, 0, 3, 4]], [3, 4], 'int32')
const y = tensor([[0.5], [-1], [2]])

describe('embedding accepts Keras weight options', () => {
  it('writes them into its config and names a typo', () => {
    const e = L.embedding(5, 3, { embeddingsRegularizer: 'l2', embeddingsConstraint: 'nonNeg', activityRegularizer: 'l1', trainable: false })
    expect(e.config.embeddingsRegularizer).toEqual({ kind: 'L1L2', config: { l1: 0, l2: 0.01 } })
    expect(e.config.embeddingsConstraint).toEqual({ kind: 'NonNeg', config: {} })
    expect(e.trainable).toBe(false)
    expect(Object.keys(e.regularizers ?? {})).toEqual(['embeddings'])
    expect(() => L.embedding(5, 3, { embeddingRegularizer: 'l2' } as never)).toThrow(/unknown option 'embeddingRegularizer'/)
  })

  it('the penalty is in the reported loss; the constraint holds after fit', async () => {
    const make = (o: object) => sequential([L.embedding(5, 3, { inputShape: [4], embeddingsInitializer: 'ones', ...o }), L.flatten(), L.dense(1, { kernelInitializer: 'zeros' })])
    const opts = { optimizer: 'sgd', loss: 'mse' } as const
    const base = (await make({}).compile(opts).evaluate(x, y, { verbose: 0 })) as unknown as number
    const reg = (await make({ embeddingsRegularizer: regularizers.l2(0.5) }).compile(opts).evaluate(x, y, { verbose: 0 })) as unknown as number
    // the table is 5·3 ones: 0.5 · 15
    expect(reg - base).toBeCloseTo(7.5, 4)
    const m = sequential([L.embedding(5, 3, { inputShape: [4], embeddingsConstraint: constraints.nonNeg() }), L.flatten(), L.dense(1)], { seed: 1 })
    const { trainer } = await m.compile({ optimizer: 'sgd', loss: 'mse' }).fit(x, y, { epochs: 20, verbose: 0 })
    const table = dataSync((trainer.model as unknown as typeof m).getWeights()[0])
    expect(Math.min(...table)).toBeGreaterThanOrEqual(0)
  })

  it('round-trips through TensorFlow.js files both ways', async () => {
    const m = sequential([L.embedding(5, 3, { inputShape: [4], embeddingsRegularizer: regularizers.l1l2({ l1: 0.1, l2: 0.2 }), embeddingsConstraint: 'maxNorm' }), L.flatten(), L.dense(1)], { seed: 2 })
    const dir = join(root, 'tf-to-tfjs')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    const cfg = tm.layers[0].getConfig() as Record<string, { className: string; config: Record<string, number> }>
    expect(cfg.embeddingsRegularizer.className).toBe('L1L2')
    expect(cfg.embeddingsRegularizer.config.l1).toBeCloseTo(0.1, 6)
    expect(cfg.embeddingsConstraint.className).toBe('MaxNorm')
    const want = dataSync(m.predict(x) as never)
    const got = (tm.predict(tf.tensor2d([[1, 2, 3, 0], [4, 1, 1, 2], [0, 0, 3, 4]])) as tf.Tensor).dataSync()
    want.forEach((v, i) => expect(Math.abs(v - got[i])).toBeLessThan(1e-5))
    const back = join(root, 'tfjs-to-tf')
    await tfjsSave(tm, back)
    const r = await load(back)
    expect(r.layers[0].regularizers?.embeddings?.config).toEqual({ l1: expect.closeTo(0.1, 6), l2: expect.closeTo(0.2, 6) })
    expect(r.layers[0].constraints?.embeddings?.kind).toBe('MaxNorm')
  })
})
