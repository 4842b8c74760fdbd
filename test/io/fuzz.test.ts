/**
 * The loader against hostile files. Valid saves are mutated (truncated, extended, bytes flipped,
 * JSON values replaced, prototype keys injected, shapes and dtypes changed, random JSON and random
 * bytes), and loading must end in a `Right` with a complete model or a `Left` with one of our tags —
 * never a throw, never a partial model, never a read larger than the file, never a polluted prototype.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, dropout, input, model, call, concatenate, Io, compileOrThrow, type Tensor } from '../../src/index.js'
import { saveFiles } from '../../src/io/save.js'
import { IO_ERROR_TAGS } from '../../src/io/errors.js'
import { memoryFs } from './helpers.js'

const dir = '/virtual/m'
const a = input({ shape: [3], name: 'a' })
const bases = [
  sequential([dense(4, { inputShape: [3], activation: 'relu' }), dropout(0.1), dense(2)]),
  model({ inputs: [a], outputs: [call(concatenate(), [call(dense(2), a), a]), call(dense(1), a)] }),
  compileOrThrow(sequential([dense(2, { inputShape: [3] })]), { optimizer: 'adam', loss: 'mse' })
]
const files = bases.map((b) => {
  const r = saveFiles(b)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return { binName: r.right[0].name, bin: r.right[0].data, json: new TextDecoder().decode(r.right[1].data), weights: ('model' in b && !('layers' in b) ? b.model : b) as { readonly weights: ReadonlyArray<{ readonly value: Tensor }> } }
})

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** All paths to values in a JSON document. */
const paths = (v: Json, p: Array<string | number> = []): Array<Array<string | number>> => {
  const out: Array<Array<string | number>> = [p]
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...p, i])))
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) out.push(...paths(v[k], [...p, k]))
  return out
}
const setPath = (v: Json, p: ReadonlyArray<string | number>, x: Json): Json => {
  if (p.length === 0) return x
  const [k, ...rest] = p
  if (Array.isArray(v)) return v.map((e, i) => (i === k ? setPath(e, rest, x) : e))
  const o = v as { [k: string]: Json }
  const out: { [k: string]: Json } = {}
  for (const key of Object.keys(o)) out[key] = key === k ? setPath(o[key], rest, x) : o[key]
  return out
}
/** Inject a key into the object at a path (raw text, so JSON.parse gives a real own `__proto__`). */
const injectKey = (doc: Json, p: ReadonlyArray<string | number>, key: string, value: Json): string => {
  const marker = '"__tf_marker__"'
  const target = p.length === 0 ? doc : p.reduce<Json>((acc, k) => (acc as { [k: string]: Json })[k as string], doc)
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return JSON.stringify(doc).replace(/^\{/, `{${JSON.stringify(key)}: ${JSON.stringify(value)},`)
  const withMarker = setPath(doc, p, { ...(target as object), __tf_marker__: 1 } as Json)
  return JSON.stringify(withMarker).replace(`${marker}:1`, `${JSON.stringify(key)}:${JSON.stringify(value)}`)
}

type Mutation =
  | { readonly t: 'truncate'; readonly at: number }
  | { readonly t: 'extend'; readonly n: number }
  | { readonly t: 'flipBin'; readonly at: number; readonly v: number }
  | { readonly t: 'flipJson'; readonly at: number; readonly c: string }
  | { readonly t: 'cutJson'; readonly at: number }
  | { readonly t: 'replace'; readonly which: number; readonly v: Json }
  | { readonly t: 'proto'; readonly which: number; readonly key: string }
  | { readonly t: 'shape'; readonly which: number; readonly shape: Json }
  | { readonly t: 'dtype'; readonly which: number; readonly dtype: Json }
  | { readonly t: 'randomJson'; readonly v: unknown }
  | { readonly t: 'randomBytes'; readonly b: Uint8Array }
  | { readonly t: 'removeBin' }

const hugeDim = fc.oneof(fc.constantFrom(2 ** 31 - 1, 2 ** 30, 2 ** 53, -1, 1.5, 0, 1e300), fc.integer({ min: 0, max: 2 ** 31 }))
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ t: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ t: fc.constant('extend' as const), n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ t: fc.constant('flipBin' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ t: fc.constant('flipJson' as const), at: fc.nat(), c: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '0', 'x', '\\', ' ', '\u0000', '9') }),
  fc.record({ t: fc.constant('cutJson' as const), at: fc.nat() }),
  fc.record({ t: fc.constant('replace' as const), which: fc.nat(), v: fc.oneof(fc.jsonValue() as fc.Arbitrary<Json>, fc.constantFrom<Json>(null, -1, 2 ** 31, 'Dense', 'Conv2D', [], {}, [2 ** 30, 2 ** 30], 'float16', 'int32')) }),
  fc.record({ t: fc.constant('proto' as const), which: fc.nat(), key: fc.constantFrom('__proto__', 'constructor', 'prototype') }),
  fc.record({ t: fc.constant('shape' as const), which: fc.nat(), shape: fc.oneof(fc.array(hugeDim, { maxLength: 10 }) as fc.Arbitrary<Json>, fc.jsonValue() as fc.Arbitrary<Json>) }),
  fc.record({ t: fc.constant('dtype' as const), which: fc.nat(), dtype: fc.constantFrom<Json>('float16', 'int32', 'bool', 'string', 'complex64', 'uint8', null, 3) }),
  fc.record({ t: fc.constant('randomJson' as const), v: fc.jsonValue({ maxDepth: 6 }) }),
  fc.record({ t: fc.constant('randomBytes' as const), b: fc.uint8Array({ maxLength: 200 }) }),
  fc.constant({ t: 'removeBin' as const })
)

const apply = (base: (typeof files)[number], m: Mutation): Map<string, Uint8Array> => {
  const enc = (s: string) => new TextEncoder().encode(s)
  let json: Uint8Array = enc(base.json)
  let bin: Uint8Array | undefined = base.bin
  const doc = JSON.parse(base.json) as Json
  const ps = paths(doc)
  switch (m.t) {
    case 'truncate':
      bin = bin.slice(0, m.at % Math.max(1, bin.length))
      break
    case 'extend':
      bin = new Uint8Array([...bin, ...new Uint8Array(m.n)])
      break
    case 'flipBin':
      bin = bin.slice()
      if (bin.length > 0) bin[m.at % bin.length] = m.v
      break
    case 'flipJson': {
      const s = base.json
      const i = m.at % s.length
      json = enc(s.slice(0, i) + m.c + s.slice(i + 1))
      break
    }
    case 'cutJson':
      json = enc(base.json.slice(0, m.at % base.json.length))
      break
    case 'replace':
      json = enc(JSON.stringify(setPath(doc, ps[m.which % ps.length], m.v)))
      break
    case 'proto':
      json = enc(injectKey(doc, ps[m.which % ps.length], m.key, { polluted: true }))
      break
    case 'shape': {
      const ws = (doc as { weightsManifest: Array<{ weights: Array<{ shape: Json }> }> }).weightsManifest[0].weights
      json = enc(JSON.stringify(setPath(doc, ['weightsManifest', 0, 'weights', m.which % ws.length, 'shape'], m.shape)))
      break
    }
    case 'dtype': {
      const ws = (doc as { weightsManifest: Array<{ weights: unknown[] }> }).weightsManifest[0].weights
      json = enc(JSON.stringify(setPath(doc, ['weightsManifest', 0, 'weights', m.which % ws.length, 'dtype'], m.dtype)))
      break
    }
    case 'randomJson':
      json = enc(JSON.stringify(m.v) ?? 'null')
      break
    case 'randomBytes':
      json = m.b
      break
    case 'removeBin':
      bin = undefined
      break
  }
  const fs = new Map<string, Uint8Array>([[join(dir, 'model.json'), json]])
  if (bin !== undefined) fs.set(join(dir, base.binName), bin)
  return fs
}

describe('loading hostile files', () => {
  it('never throws, answers Right with a complete model or Left with our tags, reads no more than the files hold, pollutes nothing', async () => {
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort()
    const tags = new Set<string>()
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: files.length - 1 }), mutationArb, fc.boolean(), async (bi, m, asTrainer) => {
        const base = files[bi]
        const mem = memoryFs(apply(base, m))
        const reads: Array<readonly [string, number]> = []
        const spy = { ...mem, read: async (p: string, n: number) => (reads.push([p, n]), mem.read(p, n)) }
        let r: E.Either<{ readonly _tag: string }, unknown>
        try {
          r = asTrainer ? await Io.loadTrainer(dir, { fileOps: spy, compile: { optimizer: 'adam', loss: 'mse' } })() : await Io.load(dir, { fileOps: spy })()
        } catch (err) {
          throw new Error(`load threw instead of returning Left: ${String(err)}`)
        }
        for (const [p, n] of reads) expect(n).toBeLessThanOrEqual(mem.files.get(p)?.length ?? 0)
        if (E.isLeft(r)) {
          expect(IO_ERROR_TAGS).toContain(r.left._tag)
          tags.add(r.left._tag)
        } else {
          const loaded = (asTrainer ? (r.right as { model: unknown }).model : r.right) as { readonly weights: ReadonlyArray<{ readonly value: Tensor }> }
          expect(loaded.weights.map((w) => w.value.shape)).toEqual(base.weights.weights.map((w) => w.value.shape))
        }
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys)
        expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
      }),
      { numRuns: 400, seed: 20261125 }
    )
    // the mutations reach many different checks, not one
    expect(tags.size).toBeGreaterThanOrEqual(5)
  })

  it('a manifest that declares absurd sizes is refused before anything is read or allocated', async () => {
    const doc = JSON.parse(files[0].json)
    doc.weightsManifest[0].weights[0].shape = [2 ** 31 - 1, 2 ** 31 - 1]
    const mem = memoryFs(new Map([[join(dir, 'model.json'), new TextEncoder().encode(JSON.stringify(doc))], [join(dir, files[0].binName), files[0].bin]]))
    let binReads = 0
    const spy = { ...mem, read: async (p: string, n: number) => (p.endsWith('.bin') && binReads++, mem.read(p, n)) }
    const before = process.memoryUsage().arrayBuffers
    const r = await Io.load(dir, { fileOps: spy })()
    expect(E.isLeft(r) && r.left._tag).toBe('FileTooLarge')
    expect(E.isLeft(r) && r.left.path).toContain('weightsManifest[0].weights[0].shape')
    expect(binReads).toBe(0)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20)
  })

  it('a topology that would allocate more weights than the file holds is refused (dense(2**30) with a tiny file)', async () => {
    const doc = JSON.parse(files[0].json)
    doc.modelTopology.config.layers[0].config.units = 2 ** 30
    const mem = memoryFs(new Map([[join(dir, 'model.json'), new TextEncoder().encode(JSON.stringify(doc))], [join(dir, files[0].binName), files[0].bin]]))
    const before = process.memoryUsage().arrayBuffers
    const r = await Io.load(dir, { fileOps: mem })()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidWeights')
    expect(E.isLeft(r) && r.left.path).toContain('layers[0]')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20)
  })

  it('prototype keys anywhere are an InvalidModelFile naming the key and path', async () => {
    const text = files[0].json.replace('"units":4', '"__proto__":{"polluted":true},"units":4')
    const r = await Io.load(dir, { fileOps: memoryFs(new Map([[join(dir, 'model.json'), new TextEncoder().encode(text)], [join(dir, files[0].binName), files[0].bin]])) })()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidModelFile')
    expect(E.isLeft(r) && r.left.path).toBe('model.json: modelTopology.config.layers[0].config.__proto__')
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
  })

  it('truncated weights name the file, the bytes expected and the bytes there', async () => {
    const mem = memoryFs(new Map([[join(dir, 'model.json'), new TextEncoder().encode(files[0].json)], [join(dir, files[0].binName), files[0].bin.slice(0, 10)]]))
    const r = await Io.load(dir, { fileOps: mem })()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidWeights')
    expect(E.isLeft(r) && r.left.received).toBe(10)
    expect(E.isLeft(r) && r.left.message).toMatch(/expected \d+ bytes .* has 10 \(truncated\?\)/)
  })

  it('non-JSON and wrong dtypes are clear errors', async () => {
    const bad = await Io.load(dir, { fileOps: memoryFs(new Map([[join(dir, 'model.json'), new TextEncoder().encode('{"modelTopology": ')]])) })()
    expect(E.isLeft(bad) && bad.left._tag).toBe('InvalidJson')
    const doc = JSON.parse(files[0].json)
    doc.weightsManifest[0].weights[1].dtype = 'float16'
    const r = await Io.load(dir, { fileOps: memoryFs(new Map([[join(dir, 'model.json'), new TextEncoder().encode(JSON.stringify(doc))], [join(dir, files[0].binName), files[0].bin]])) })()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidModelFile')
    expect(E.isLeft(r) && r.left.path).toBe('model.json: weightsManifest[0].weights[1].dtype')
    expect(E.isLeft(r) && r.left.received).toBe('float16')
  })
})
