/**
 * The loader's weight budget covers every built-in kind with weights, not only Dense: a file that
 * declares a layer larger than its weights file is refused before the layer allocates (issue 13's
 * bounded loader). `weightCount` is checked against what each kind's `init` really allocates.
 */
import { describe, it, expect } from 'vitest'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, layers as L, Io, key, type AnyLayer, type Tensor } from '../../src/index.js'
import { saveFiles } from '../../src/io/save.js'
import { weightCount } from '../../src/io/budget.js'
import { memoryFs } from './helpers.js'

const dir = '/virtual/budget'
const enc = (s: string) => new TextEncoder().encode(s)

const filesOf = (ls: ReadonlyArray<AnyLayer>) => {
  const r = saveFiles(sequential(ls as never))
  if (E.isLeft(r)) throw new Error(r.left.message)
  return { bin: r.right[0], doc: JSON.parse(new TextDecoder().decode(r.right[1].data)) }
}
const fsWith = (doc: unknown, bin: { readonly name: string; readonly data: Uint8Array }) =>
  memoryFs(new Map([[join(dir, 'model.json'), enc(JSON.stringify(doc))], [join(dir, bin.name), bin.data]]))

const held = (t: unknown): number =>
  t !== null && typeof t === 'object' && 'shape' in (t as object) && 'dtype' in (t as object)
    ? (t as Tensor).size
    : Array.isArray(t)
      ? t.reduce((n: number, v) => n + held(v), 0)
      : t !== null && typeof t === 'object'
        ? Object.values(t).reduce((n: number, v) => n + held(v), 0)
        : 0

describe('weightCount', () => {
  const cases: ReadonlyArray<readonly [AnyLayer, ReadonlyArray<number | null>]> = [
    [L.dense(5), [null, 3]],
    [L.dense(5, { useBias: false }), [null, 4, 3]],
    [L.conv1d(4, 3), [null, 9, 2]],
    [L.conv2d(4, [3, 2], { groups: 2 }), [null, 6, 6, 6]],
    [L.conv2d(3, 2, { dataFormat: 'channels_first', useBias: false }), [null, 5, 4, 4]],
    [L.conv3d(2, 2), [null, 3, 3, 3, 2]],
    [L.conv2dTranspose(3, [2, 3]), [null, 4, 4, 5]],
    [L.depthwiseConv2d(3, { depthMultiplier: 2 }), [null, 5, 5, 3]],
    [L.separableConv2d(4, 2, { depthMultiplier: 3 }), [null, 5, 5, 2]],
    [L.batchNormalization(), [null, 4, 4, 3]],
    [L.batchNormalization({ axis: 1, center: false }), [null, 4, 4, 3]],
    [L.layerNormalization({ scale: false }), [null, 6]],
    [L.embedding(11, 4), [null, 7]],
    [L.simpleRNN(3), [null, 5, 2]],
    [L.lstm(3, { useBias: false }), [null, 5, 2]],
    [L.gru(3), [null, 5, 2]],
    [L.gru(3, { resetAfter: false }), [null, 5, 2]],
    [L.bidirectional(L.lstm(2)), [null, 5, 3]],
    [L.timeDistributed(L.dense(2)), [null, 5, 3]],
    [L.maxPooling2d(2), [null, 4, 4, 3]],
    [L.flatten(), [null, 4, 3]]
  ]
  it.each(cases.map(([l, s]) => [`${l.kind} ${JSON.stringify(l.config).slice(0, 60)} on ${JSON.stringify(s)}`, l, s] as const))('%s: what init allocates', (_n, l, s) => {
    const b = l.init(key(0), s as never)
    if (E.isLeft(b)) throw new Error(b.left.message)
    expect(weightCount(l.kind, l.config as never, s)).toBe(held(b.right.params) + held(b.right.state))
  })
})

describe('a file that declares more weights than it holds is refused before allocating', () => {
  const huge = 2 ** 26
  const refuses = async (ls: ReadonlyArray<AnyLayer>, edit: (cfg: Record<string, unknown>) => void, at = 0) => {
    const f = filesOf(ls)
    const doc = JSON.parse(JSON.stringify(f.doc))
    edit(doc.modelTopology.config.layers[at].config)
    const r = await Io.load(dir, { fileOps: fsWith(doc, f.bin) })()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidWeights')
    expect(E.isLeft(r) && r.left.message).toMatch(/would allocate \d+ weight values .* more than the weights file holds/)
    // and the file as saved loads
    expect(E.isRight(await Io.load(dir, { fileOps: fsWith(f.doc, f.bin) })())).toBe(true)
  }
  it('convolutions: filters, depth multiplier', async () => {
    await refuses([L.conv2d(2, 3, { inputShape: [5, 5, 1] })], (c) => (c.filters = huge))
    await refuses([L.conv1d(2, 2, { inputShape: [5, 1] })], (c) => (c.kernel_size = [huge]))
    await refuses([L.depthwiseConv2d(2, { inputShape: [4, 4, 2] })], (c) => (c.depth_multiplier = huge))
    await refuses([L.separableConv2d(2, 2, { inputShape: [4, 4, 2] })], (c) => (c.filters = huge))
    await refuses([L.conv2dTranspose(2, 2, { inputShape: [4, 4, 2] })], (c) => (c.filters = huge))
  })
  it('normalization over a declared input shape, embeddings, recurrent layers and wrappers', async () => {
    await refuses([L.batchNormalization({ inputShape: [3] })], (c) => (c.batch_input_shape = [null, huge]))
    await refuses([L.layerNormalization({ inputShape: [3] })], (c) => (c.batch_input_shape = [null, huge]))
    await refuses([L.embedding(10, 2, { inputShape: [4] })], (c) => (c.input_dim = huge))
    await refuses([L.lstm(2, { inputShape: [3, 2] })], (c) => (c.units = 2 ** 14))
    await refuses([L.bidirectional(L.gru(2), { inputShape: [3, 2] })], (c) => ((c.layer as { config: Record<string, unknown> }).config.units = 2 ** 14))
  })
})
