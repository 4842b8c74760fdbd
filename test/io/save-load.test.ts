/**
 * Save and load on disk: the round-trip law over random models, custom layers without a registry,
 * weights-only files with Keras's errors, atomic writes under a simulated crash, the fold law across a
 * save (fit A, save, load, fit B = fit A ++ B), and `modelCheckpoint`.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import fc from 'fast-check'
import { mkdirSync, rmSync, readFileSync, existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import {
  sequential, dense, dropout, tensor, dataSync, Io, save, load, saveWeights, loadWeights, loadTrainer, compileOrThrow, modelCheckpoint,
  Tree, type Tensor, type AnyLayer, TensorfoldError, mul
} from '../../src/index.js'
import { makeLayer, type Empty } from '../../src/layers/Layer.js'
import { nodeFileOps, type FileOps } from '../../src/io/fs.js'
import { modelArb } from './arbitraries.js'

const root = join(process.cwd(), 'tmp', 'test-io-save')
beforeAll(() => {
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const weightsOf = (m: { readonly weights: ReadonlyArray<{ readonly name: string; readonly value: Tensor }> }) => m.weights.map((w) => [w.name, w.value.shape, Array.from(dataSync(w.value))])

describe('save then load', () => {
  it('gives the same config, weights and predictions (random models)', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(modelArb, async ({ model, inputs }) => {
        const dir = join(root, `rt-${n++}`)
        await save(model, dir)
        const m2 = await load(dir)
        expect(Io.getConfig(m2)).toEqual(Io.getConfig(model))
        expect(weightsOf(m2)).toEqual(weightsOf(model))
        const a = model.predict(inputs as never) as Tensor | ReadonlyArray<Tensor>
        const b = m2.predict(inputs as never) as Tensor | ReadonlyArray<Tensor>
        const flat = (y: Tensor | ReadonlyArray<Tensor> | Record<string, Tensor>) => Tree.leaves(y as Tree.Tree).map((t) => Array.from(dataSync(t)))
        expect(flat(b)).toEqual(flat(a))
      }),
      { numRuns: 25 }
    )
  })

  it('rejects an unbuilt model with NotSavable', async () => {
    const r = await Io.save(sequential([dense(2)]), join(root, 'unbuilt'))()
    expect(E.isLeft(r) && r.left._tag).toBe('NotSavable')
  })
})

describe('custom layers, no registry', () => {
  const scale = (config: { readonly c: number; readonly name?: string }): AnyLayer =>
    makeLayer<Empty, Empty>('Scale', { c: config.c }, config.name !== undefined ? { name: config.name } : {}, (_k, s) => E.right({ params: {}, state: {}, outputShape: s }), () => (x) => ({ y: mul(x, config.c), state: {} })) as AnyLayer

  it('load(dir, {layers: {scale}}) rebuilds the custom layer; without it the kind is unknown', async () => {
    const m = sequential([dense(3, { inputShape: [2] }), scale({ c: 3 }) as never, dense(1)])
    const dir = join(root, 'custom')
    await save(m, dir)
    const r = await Io.load(dir)()
    expect(E.isLeft(r) && r.left._tag).toBe('UnknownLayerKind')
    expect(E.isLeft(r) && r.left.received).toBe('Scale')
    await expect(load(dir)).rejects.toBeInstanceOf(TensorfoldError)
    const m2 = await load(dir, { layers: { scale: (c) => scale(c as { c: number; name?: string }) } })
    const x = tensor([[1, 2], [3, 4]])
    expect(Array.from(dataSync(m2.predict(x) as Tensor))).toEqual(Array.from(dataSync(m.predict(x))))
    expect(m2.layers[1].config).toEqual(m.layers[1].config)
  })

  it('a custom constructor that throws is an InvalidLayerConfig, not a crash', async () => {
    const dir = join(root, 'custom')
    const r = await Io.load(dir, { layers: { Scale: () => { throw new Error('boom') } } })()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidLayerConfig')
  })
})

describe('weights only', () => {
  const m = sequential([dense(3, { inputShape: [2] }), dense(2)], { seed: 1 })
  it('saveWeights then loadWeights into a model of the same architecture restores the weights', async () => {
    const dir = join(root, 'w')
    await saveWeights(m, dir)
    const fresh = sequential([dense(3, { inputShape: [2] }), dense(2)], { seed: 2 })
    expect(weightsOf(fresh)).not.toEqual(weightsOf(m))
    const back = await loadWeights(fresh, dir)
    expect(weightsOf(back)).toEqual(weightsOf(m))
    expect(weightsOf(fresh)).not.toEqual(weightsOf(m)) // the input model is unchanged
  })
  it("has Keras's count and shape errors", async () => {
    const dir = join(root, 'w')
    const fewer = await Io.loadWeights(sequential([dense(3, { inputShape: [2] })]), dir)()
    expect(E.isLeft(fewer) && fewer.left._tag).toBe('WeightCountMismatch')
    expect(E.isLeft(fewer) && fewer.left.message).toMatch(/with a weight file of 4 weights, but the model was expecting 2 weights/)
    const other = await Io.loadWeights(sequential([dense(3, { inputShape: [5] }), dense(2)]), dir)()
    expect(E.isLeft(other) && other.left._tag).toBe('WeightShapeMismatch')
    expect(E.isLeft(other) && other.left.expected).toEqual([5, 3])
    expect(E.isLeft(other) && other.left.received).toEqual([2, 3])
  })
})

describe('atomic writes', () => {
  const binOf = (dir: string): string => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths[0]
  it('a crash mid-save leaves the previous model intact and no temporaries', async () => {
    const dir = join(root, 'atomic')
    const good = sequential([dense(2, { inputShape: [3] })], { seed: 1 })
    await save(good, dir)
    const bin = binOf(dir)
    expect(bin).toMatch(/^weights-[0-9a-f]{20}\.bin$/)
    const before = [readFileSync(join(dir, 'model.json')), readFileSync(join(dir, bin))]
    for (const failAt of [0, 1]) {
      let writes = 0
      const crashing: FileOps = {
        ...nodeFileOps,
        writeFile: async (p, d) => {
          // the lock's own files are not counted: 0 is the weights, 1 the manifest
          if (!p.includes('.tensorfold.lock') && writes++ === failAt) {
            // half a file, then the "crash"
            await nodeFileOps.writeFile(p, d.subarray(0, d.length >> 1))
            throw new Error('disk full')
          }
          return nodeFileOps.writeFile(p, d)
        }
      }
      const other = sequential([dense(4, { inputShape: [3] }), dense(1)], { seed: 2 })
      const r = await Io.save(other, dir, { fileOps: crashing })()
      expect(E.isLeft(r) && r.left._tag).toBe('FileWriteError')
      expect(readFileSync(join(dir, 'model.json'))).toEqual(before[0])
      expect(readFileSync(join(dir, bin))).toEqual(before[1])
      expect(readdirSync(dir).sort()).toEqual([bin, 'model.json'].sort())
      const back = await load(dir)
      expect(weightsOf(back)).toEqual(weightsOf(good))
    }
  })
  it('a new save removes the weights the old model.json named, and keeps those weights.json names', async () => {
    const dir = join(root, 'replace')
    const a = sequential([dense(2, { inputShape: [3] })], { seed: 1 })
    const b = sequential([dense(2, { inputShape: [3] })], { seed: 2 })
    await save(a, dir)
    await saveWeights(a, dir)
    const binA = binOf(dir)
    await save(b, dir)
    const binB = binOf(dir)
    expect(binB).not.toBe(binA)
    // weights.json still names binA
    expect(readdirSync(dir).sort()).toEqual([binA, binB, 'model.json', 'weights.json'].sort())
    await saveWeights(b, dir)
    expect(readdirSync(dir).sort()).toEqual([binB, 'model.json', 'weights.json'].sort())
    expect(weightsOf(await load(dir))).toEqual(weightsOf(b))
  })
  it('weights from another save (files copied between directories) are caught by the digest', async () => {
    const a = join(root, 'mix-a')
    const b = join(root, 'mix-b')
    await save(sequential([dense(2, { inputShape: [3] })], { seed: 1 }), a)
    await save(sequential([dense(2, { inputShape: [3] })], { seed: 2 }), b)
    const { copyFileSync } = await import('node:fs')
    copyFileSync(join(b, binOf(b)), join(a, binOf(a)))
    const r = await Io.load(a)()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidWeights')
  })
})

describe('trainers', () => {
  const xs = tensor(Array.from({ length: 16 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 5) / 5]))
  const ys = tensor(Array.from({ length: 16 }, (_, i) => [Math.sin(i * 0.3) + 0.1 * i]))
  const slice = (t: Tensor, a: number, b: number) => tensor(dataSync(t).slice(a * t.shape[1], b * t.shape[1]), [b - a, t.shape[1]])

  it('the fold law across a save: fit A, save, load, fit B = fit A ++ B (adam, dropout)', async () => {
    const make = () => compileOrThrow(sequential([dense(4, { inputShape: [3], activation: 'relu' }), dropout(0.25), dense(1)], { seed: 3 }), { optimizer: 'adam', loss: 'mse', seed: 7 })
    const opts = { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 as const }
    const whole = await make().fit(xs, ys, opts)
    const first = await make().fit(slice(xs, 0, 8), slice(ys, 0, 8), opts)
    const dir = join(root, 'trainer')
    await save(first.trainer, dir)
    const loaded = await loadTrainer(dir)
    expect(loaded.step).toBe(first.trainer.step)
    expect(loaded.key).toEqual(first.trainer.key)
    const second = await loaded.fit(slice(xs, 8, 16), slice(ys, 8, 16), opts)
    expect(second.trainer.step).toBe(whole.trainer.step)
    expect(weightsOf(second.trainer.model as never)).toEqual(weightsOf(whole.trainer.model as never))
    expect(Tree.leaves(second.trainer.optState as Tree.Tree).map((t) => Array.from(dataSync(t)))).toEqual(Tree.leaves(whole.trainer.optState as Tree.Tree).map((t) => Array.from(dataSync(t))))
  })

  it('a trainer with a custom optimizer needs it again at load, with a clear error otherwise', async () => {
    const { sgd } = await import('../../src/index.js')
    const t = compileOrThrow(sequential([dense(1, { inputShape: [3] })]), { optimizer: sgd({ learningRate: 0.1 }), loss: 'mse' })
    const dir = join(root, 'trainer-custom')
    await save(t, dir)
    const r = await Io.loadTrainer(dir)()
    expect(E.isLeft(r) && r.left.path).toContain('optimizer')
    const ok = await loadTrainer(dir, { compile: { optimizer: sgd({ learningRate: 0.1 }) } })
    expect(ok.step).toBe(0)
  })

  it('loadTrainer on a model file is a clear error', async () => {
    const dir = join(root, 'model-only')
    await save(sequential([dense(1, { inputShape: [3] })]), dir)
    const r = await Io.loadTrainer(dir)()
    expect(E.isLeft(r) && r.left.path).toContain('tensorfold.trainer')
  })
})

describe('modelCheckpoint', () => {
  const xs = tensor(Array.from({ length: 8 }, (_, i) => [i / 8, 1 - i / 8]))
  const ys = tensor(Array.from({ length: 8 }, (_, i) => [i % 2]))
  it('saves every epoch into {epoch}-named directories, each a loadable trainer', async () => {
    const t = compileOrThrow(sequential([dense(2, { inputShape: [2] }), dense(1)]), { optimizer: 'sgd', loss: 'mse' })
    const base = join(root, 'ckpt-every')
    await t.fit(xs, ys, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [modelCheckpoint({ filepath: join(base, 'e{epoch:02d}'), monitor: 'loss' })] })
    expect(readdirSync(base).sort()).toEqual(['e01', 'e02', 'e03'])
    const t3 = await loadTrainer(join(base, 'e03'))
    expect(t3.step).toBe(6)
  })
  it('saveBestOnly saves only when the monitored value improves', async () => {
    const t = compileOrThrow(sequential([dense(1, { inputShape: [2] })]), { optimizer: 'sgd', loss: 'mse' })
    const dir = join(root, 'ckpt-best')
    const seen: number[] = []
    const probe = { name: 'probe', init: () => null, onEpochEnd: (_s: null, ev: { logs: Record<string, number> }) => void seen.push(ev.logs.loss) }
    const r = await t.fit(xs, ys, { epochs: 4, batchSize: 8, verbose: 0, callbacks: [modelCheckpoint({ filepath: dir, monitor: 'loss', saveBestOnly: true }), probe as never] })
    expect(existsSync(join(dir, 'model.json'))).toBe(true)
    const best = Math.min(...seen)
    const bestEpoch = seen.indexOf(best)
    const saved = await loadTrainer(dir)
    expect(saved.step).toBe(bestEpoch + 1)
    expect(r.history.history.loss.length).toBe(4)
  })
})
