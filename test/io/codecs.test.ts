/**
 * The codec laws: `decode(encode(x)) = x` for the model configs, the model.json document and the
 * Keras mapping, over random models; `fromConfig(getConfig(m))` has the same config; the codecs refuse
 * what they do not know, naming the path.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { Io } from '../../src/index.js'
import { ModelConfigC, ModelJsonC, WeightEntryC, TreeSpecC, decodeWith } from '../../src/io/codecs.js'
import { saveFiles } from '../../src/io/save.js'
import { parseJson } from '../../src/io/json.js'
import { modelArb, sequentialArb, functionalArb } from './arbitraries.js'

const viaJson = <A>(x: A): unknown => JSON.parse(JSON.stringify(x))

describe('config codecs', () => {
  it('the arbitrary is not degenerate: both model kinds, several layer kinds', () => {
    const kinds = new Set<string>()
    const layerKinds = new Set<string>()
    fc.sample(modelArb, { numRuns: 60, seed: 1 }).forEach(({ model }) => {
      kinds.add(model.kind)
      model.layers.forEach((l) => layerKinds.add(l.kind))
    })
    expect([...kinds].sort()).toEqual(['Functional', 'Sequential'])
    expect(layerKinds.size).toBeGreaterThanOrEqual(8)
  })

  it('ModelConfigC: decode(encode(getConfig(m))) = getConfig(m), through JSON text', () => {
    fc.assert(
      fc.property(modelArb, ({ model }) => {
        const c = Io.getConfig(model)
        const back = ModelConfigC.decode(viaJson(ModelConfigC.encode(c)))
        expect(back).toEqual(E.right(c))
      }),
      { numRuns: 60 }
    )
  })

  it('fromConfig(getConfig(m)) rebuilds a model with the same config and the same initial weights (same seed)', () => {
    fc.assert(
      fc.property(modelArb, ({ model }) => {
        const r = Io.fromConfig(viaJson(Io.getConfig(model)))
        expect(E.isRight(r)).toBe(true)
        if (E.isRight(r)) {
          expect(Io.getConfig(r.right)).toEqual(Io.getConfig(model))
          expect(r.right.weights.map((w) => [w.name, w.value.shape, Array.from(w.value.dataSync())])).toEqual(model.weights.map((w) => [w.name, w.value.shape, Array.from(w.value.dataSync())]))
        }
      }),
      { numRuns: 40 }
    )
  })

  it('the Keras mapping: fromKeras(toKeras(c)) = c (Sequential)', () => {
    fc.assert(
      fc.property(sequentialArb, ({ model }) => {
        const c = Io.getConfig(model)
        const k = Io.toKeras(c)
        const back = Io.fromKeras('t', viaJson(k.topology) as never, viaJson(k.extras) as never)
        const rebuilt = E.chain((x: unknown) => Io.fromConfig(x) as E.Either<unknown, never>)(back as E.Either<unknown, unknown>)
        expect(E.isRight(rebuilt) && Io.getConfig(rebuilt.right)).toEqual(c)
      }),
      { numRuns: 40 }
    )
  })

  it('the Keras mapping: a functional model rebuilt from toKeras has the same config', () => {
    fc.assert(
      fc.property(functionalArb, ({ model }) => {
        const c = Io.getConfig(model)
        const k = Io.toKeras(c)
        const back = Io.fromKeras('t', viaJson(k.topology) as never, viaJson(k.extras) as never)
        const rebuilt = E.chain((x: unknown) => Io.fromConfig(x) as E.Either<unknown, never>)(back as E.Either<unknown, unknown>)
        expect(E.isRight(rebuilt) && Io.getConfig(rebuilt.right)).toEqual(c)
      }),
      { numRuns: 40 }
    )
  })

  it('ModelJsonC: decode(encode(doc)) = doc for saved files', () => {
    fc.assert(
      fc.property(modelArb, ({ model }) => {
        const files = saveFiles(model)
        expect(E.isRight(files)).toBe(true)
        if (E.isLeft(files)) return
        const text = new TextDecoder().decode(files.right[1].data)
        const doc = E.chain(decodeWith(ModelJsonC, 'model.json'))(parseJson('model.json', text))
        expect(E.isRight(doc)).toBe(true)
        if (E.isRight(doc)) expect(ModelJsonC.decode(viaJson(ModelJsonC.encode(doc.right)))).toEqual(doc)
      }),
      { numRuns: 30 }
    )
  })

  it('WeightEntryC and TreeSpecC round-trip their values', () => {
    fc.assert(
      fc.property(
        fc.record({ name: fc.string(), shape: fc.array(fc.nat({ max: 1000 }), { maxLength: 8 }), dtype: fc.constantFrom('float32' as const, 'int32' as const) }),
        (w) => {
          expect(WeightEntryC.decode(viaJson(WeightEntryC.encode(w)))).toEqual(E.right(w))
        }
      )
    )
    const spec = fc.letrec<{ t: unknown }>((tie) => ({ t: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.array(tie('t'), { maxLength: 3 }), fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), tie('t'), { maxKeys: 3 })) })).t
    fc.assert(
      fc.property(spec, (s) => {
        expect(TreeSpecC.decode(viaJson(s))).toEqual(E.right(s))
      })
    )
  })

  it('strict codecs name unknown keys and wrong values with their path', () => {
    const c = { kind: 'Sequential', config: { name: 's', seed: 0, layers: [{ kind: 'Dense', config: { units: 2 }, extra: 1 }] } }
    const r = decodeWith(ModelConfigC, 'config')(c)
    expect(E.isLeft(r) && r.left.path).toBe('config: config.layers[0].extra')
    const w = decodeWith(WeightEntryC, 'm')({ name: 'x', shape: [2, -1], dtype: 'float32' })
    expect(E.isLeft(w) && w.left.path).toBe('m: shape[1]')
    expect(E.isLeft(w) && w.left.received).toBe(-1)
  })

  it('fromConfig names a bad layer config by path and refuses unknown kinds', () => {
    const bad = Io.fromConfig({ kind: 'Sequential', config: { name: 's', seed: 0, inputShape: [3], layers: [{ kind: 'Dense', config: { units: 'many' } }] } })
    expect(E.isLeft(bad) && bad.left._tag).toBe('InvalidLayerConfig')
    expect(E.isLeft(bad) && bad.left.path).toBe('config.layers[0]: units')
    const unk = Io.fromConfig({ kind: 'Sequential', config: { name: 's', seed: 0, layers: [{ kind: 'Lambda', config: { fn: 'x => x' } }] } })
    expect(E.isLeft(unk) && unk.left._tag).toBe('UnknownLayerKind')
  })
})
