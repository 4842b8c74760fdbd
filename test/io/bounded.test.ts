/**
 * The loader is bounded in work and memory, not only in bytes: work is counted (JSON characters
 * scanned and values checked, `Set` insertions while building layers), never timed; lying fields are
 * refused (int32 declared for float weights, a trainer step that is not a count, a key outside int32).
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, dropout, Io, compileOrThrow } from '../../src/index.js'
import { saveFiles } from '../../src/io/save.js'
import { parseJson, jsonWork, defaultJsonLimits } from '../../src/io/json.js'
import { IO_ERROR_TAGS } from '../../src/io/errors.js'
import { memoryFs } from './helpers.js'

const dir = '/virtual/bounded'
const enc = (s: string) => new TextEncoder().encode(s)

const filesOf = (m: Parameters<typeof saveFiles>[0]) => {
  const r = saveFiles(m)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return { bin: r.right[0], doc: JSON.parse(new TextDecoder().decode(r.right[1].data)) }
}
const fsWith = (doc: unknown, bin: { readonly name: string; readonly data: Uint8Array }, text?: string) =>
  memoryFs(new Map([[join(dir, 'model.json'), enc(text ?? JSON.stringify(doc))], [join(dir, bin.name), bin.data]]))

/** Count `Set.prototype.add` calls (the Set constructor calls it per element too) while `f` runs. */
const countSetAdds = async (f: () => unknown): Promise<number> => {
  const add = Set.prototype.add
  let n = 0
  Set.prototype.add = function (this: Set<unknown>, v: unknown) {
    n++
    return add.call(this, v)
  }
  try {
    await f()
  } finally {
    Set.prototype.add = add
  }
  return n
}

const base = filesOf(sequential([dense(2, { inputShape: [3] })]))
const withDropouts = (n: number) => {
  const doc = JSON.parse(JSON.stringify(base.doc))
  doc.modelTopology.config.layers.push(...Array.from({ length: n }, (_, i) => ({ class_name: 'Dropout', config: { rate: 0.1, name: `dropout_${i}` } })))
  return doc
}

describe('linear work', () => {
  it('building a Sequential of n layers is linear in n (it was quadratic: a name set rebuilt per layer)', async () => {
    const build = (n: number) => () => sequential(Array.from({ length: n }, () => dropout(0.1)))
    const small = await countSetAdds(build(500))
    const large = await countSetAdds(build(2000))
    expect(large).toBeLessThanOrEqual(3 * 2000)
    expect(large / small).toBeLessThan(5)
  })

  it('loading a model file of n layers is linear in n', async () => {
    const load = (n: number) => async () => {
      const r = await Io.load(dir, { fileOps: fsWith(withDropouts(n), base.bin) })()
      expect(E.isRight(r) ? 'ok' : r.left.message).toBe('ok')
    }
    const small = await countSetAdds(load(500))
    const large = await countSetAdds(load(2000))
    expect(large / small).toBeLessThan(5)
  })

  it('more layers than maxLayers are refused before any is built (100,000 Dropouts, 6 MB)', async () => {
    const doc = withDropouts(100_000)
    const adds = await countSetAdds(async () => {
      const r = await Io.load(dir, { fileOps: fsWith(doc, base.bin) })()
      expect(E.isLeft(r) && r.left._tag).toBe('FileTooLarge')
      expect(E.isLeft(r) && r.left.path).toBe('model.json: modelTopology.config.layers')
      expect(E.isLeft(r) && r.left.message).toMatch(/at most 5000 layers/)
    })
    expect(adds).toBeLessThan(1000)
  })

  it('a 32 MB model.json of zeros is refused before parsing: no value built or checked, little memory', async () => {
    const n = (defaultJsonLimits.maxBytes - 16) >> 1
    const text = `[${'0,'.repeat(n - 1)}0]`
    expect(text.length).toBeLessThanOrEqual(defaultJsonLimits.maxBytes)
    const fs = fsWith(undefined, base.bin, text)
    const before = jsonWork.checked
    const scannedBefore = jsonWork.scanned
    const mem0 = process.memoryUsage()
    const r = await Io.load(dir, { fileOps: fs })()
    const mem1 = process.memoryUsage()
    expect(E.isLeft(r) && r.left._tag).toBe('FileTooLarge')
    expect(E.isLeft(r) && r.left.message).toMatch(/more than 2000000 JSON values/)
    expect(jsonWork.checked - before).toBe(0)
    // the scan stops once the count is over: it reads no more than the text
    expect(jsonWork.scanned - scannedBefore).toBeLessThanOrEqual(text.length)
    // under ~10x the file (it was 2.5 GB): the text and its bytes, nothing per value
    expect(mem1.heapUsed + mem1.arrayBuffers - (mem0.heapUsed + mem0.arrayBuffers)).toBeLessThan(10 * text.length)
  })

  it('fuzz: any JSON text within the caps costs work bounded by its size, and ends in Right or a tagged Left', () => {
    const limits = { maxBytes: 20_000, maxDepth: 16, maxNodes: 500 }
    const textArb = fc.oneof(
      fc.json({ maxDepth: 20 }),
      fc.nat({ max: 5000 }).map((n) => `[${'0,'.repeat(n)}0]`),
      fc.nat({ max: 200 }).map((n) => `${'['.repeat(n)}1${']'.repeat(n)}`),
      fc.nat({ max: 2000 }).map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":"${'x'.repeat(i % 7)}"`).join(',')}}`),
      fc.string({ maxLength: 300 })
    )
    fc.assert(
      fc.property(textArb, (text) => {
        const s0 = jsonWork.scanned
        const c0 = jsonWork.checked
        const r = parseJson('model.json', text, limits)
        if (E.isLeft(r)) expect(IO_ERROR_TAGS).toContain(r.left._tag)
        // one pass over the text at most, and never more values checked than the cap
        expect(jsonWork.scanned - s0).toBeLessThanOrEqual(text.length)
        expect(jsonWork.checked - c0).toBeLessThanOrEqual(limits.maxNodes + 1)
        if (text.length > limits.maxBytes) expect(E.isLeft(r) && r.left._tag).toBe('FileTooLarge')
      }),
      { numRuns: 300, seed: 13 }
    )
  })
})

describe('lying fields', () => {
  it('a float weight declared int32 is refused, not read as integers', async () => {
    const doc = JSON.parse(JSON.stringify(base.doc))
    doc.weightsManifest[0].weights[0].dtype = 'int32'
    const r = await Io.load(dir, { fileOps: fsWith(doc, base.bin) })()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidWeights')
    expect(E.isLeft(r) && r.left.message).toMatch(/declared int32, the model's weight is float32/)
  })

  it("a trainer's step must be a non-negative safe integer, its key four int32 not all zero", async () => {
    const t = filesOf(compileOrThrow(sequential([dense(2, { inputShape: [3] })]), { optimizer: 'sgd', loss: 'mse' }))
    for (const step of [-1, 1.5, 2 ** 60]) {
      const doc = JSON.parse(JSON.stringify(t.doc))
      doc.tensorfold.trainer.step = step
      const r = await Io.loadTrainer(dir, { fileOps: fsWith(doc, t.bin) })()
      expect(E.isLeft(r) && r.left._tag).toBe('InvalidModelFile')
      expect(E.isLeft(r) && r.left.path).toBe('model.json: tensorfold.trainer.step')
    }
    for (const key of [[2 ** 40, 1, 2, 3], [0, 0, 0, 0]]) {
      const doc = JSON.parse(JSON.stringify(t.doc))
      doc.tensorfold.trainer.key = key
      const r = await Io.loadTrainer(dir, { fileOps: fsWith(doc, t.bin) })()
      expect(E.isLeft(r) && r.left.path).toBe('model.json: tensorfold.trainer.key')
    }
    const ok = await Io.loadTrainer(dir, { fileOps: fsWith(t.doc, t.bin) })()
    expect(E.isRight(ok)).toBe(true)
  })
})
