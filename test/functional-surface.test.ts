/**
 * The rule of docs/errors.md: the functional namespaces (`Ops`, `Layer`, `Sequential`, `Model`, `Trainer`,
 * `Io`, `Data`) never throw. Every member is called with bad arguments (none, undefined, nulls, empty
 * records, wrong types); what it returns — a value, an `Either`, a data-last function, a `TaskEither`
 * thunk, a Promise — is followed (applied to bad data again, run, awaited) and must never throw or reject.
 */
import { describe, it, expect } from 'vitest'
import { Ops, Layer, Sequential, Model, Trainer, Io, Data } from '../src/index.js'

const BAD: ReadonlyArray<ReadonlyArray<unknown>> = [
  [],
  [undefined],
  [null, null],
  [{}, {}, {}],
  [-1, 'x', Number.NaN],
  [[1, 2], [[3]], { shape: 'no' }]
]

/** Follow a result: run thunks and data-last functions on bad data, await promises. */
const follow = async (r: unknown, depth: number): Promise<void> => {
  if (depth > 2) return
  if (r instanceof Promise) return follow(await r, depth + 1)
  if (typeof r === 'function') {
    await follow((r as (...a: unknown[]) => unknown)(), depth + 1)
    await follow((r as (...a: unknown[]) => unknown)({}), depth + 1)
  }
}

/** Accessors that cannot fail on a value of their declared type return plain values (docs/errors.md). */
const PLAIN = new Set(['Io.getConfig', 'Io.toKeras'])
/** `Data.mnist({})` is valid and reads the whole data set (seconds): its bad options are tested in test/data. */
const SLOW = new Set(['Data.mnist'])

const NAMESPACES: Readonly<Record<string, object>> = { Ops, Layer, Sequential, Model, Trainer, Io, Data }

describe('the functional surface never throws', () => {
  for (const [ns, members] of Object.entries(NAMESPACES))
    it(`${ns}.* with bad arguments return values, never throw or reject`, async () => {
      const thrown: string[] = []
      for (const [name, f] of Object.entries(members)) {
        if (typeof f !== 'function' || PLAIN.has(`${ns}.${name}`) || SLOW.has(`${ns}.${name}`)) continue
        for (const args of BAD) {
          try {
            await follow((f as (...a: unknown[]) => unknown)(...args), 0)
          } catch (err) {
            thrown.push(`${ns}.${name}(${args.map((a) => JSON.stringify(a) ?? 'undefined').join(', ')}): ${String(err).slice(0, 80)}`)
            break
          }
        }
      }
      expect(thrown).toEqual([])
    }, 120_000)
})

describe('Trainer.trainStep', () => {
  it('answers a bad batch with a tagged Left; the trainer method throws the same error', async () => {
    const { sequential, layers, tensor, TensorfoldError } = await import('../src/index.js')
    const E = await import('fp-ts/lib/Either.js')
    const t = sequential([layers.dense(1, { inputShape: [2] })]).compile({ optimizer: 'sgd', loss: 'mse' })
    const bad = { x: tensor([[1, 2, 3]]), y: tensor([[1]]) }
    const r = Trainer.trainStep(t, bad)
    expect(E.isLeft(r) && r.left._tag).toBe('ShapeMismatch')
    expect(() => t.trainStep(bad)).toThrow(TensorfoldError)
    const ok = Trainer.trainStep(t, { x: tensor([[1, 2]]), y: tensor([[1]]) })
    expect(E.isRight(ok) && ok.right[0].step).toBe(1)
    const a = await Trainer.trainStepAsync(t, bad)()
    expect(E.isLeft(a)).toBe(true)
  })
})
