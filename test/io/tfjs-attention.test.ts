/**
 * Attention layers in the TensorFlow.js layers-model format. TensorFlow.js 4.22 cannot load
 * MultiHeadAttention, Attention or AdditiveAttention (checked below: its bundle registers none of
 * them), so the files are checked by their Keras form (class names, config keys, call arguments in the
 * inbound nodes, weight names and shapes), by a tensorfold save -> load round trip with the same
 * predictions, and the layers themselves against float64 references (test/layers/attention*.test.ts).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { layers as L, input, model, call, save, load, tensor, dataSync, type Tensor, type AnyLayer } from '../../src/index.js'
import { artifactsOf } from './helpers.js'

const root = join(process.cwd(), 'tmp', 'test-io-tfjs-attention')

beforeAll(async () => {
  await tf.setBackend('cpu')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const seqData = (b: number, t: number, f: number, seed: number): number[][][] =>
  Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => Array.from({ length: f }, (_, k) => Math.sin(seed + i * 7.1 + j * 1.3 + k * 0.7))))
const same = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape)
  expect(Array.from(dataSync(a))).toEqual(Array.from(dataSync(b)))
}
type Node = ReadonlyArray<readonly [string, number, number, Record<string, unknown>]>
const layerJson = (dir: string, name: string) => {
  const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
  return { doc, layer: doc.modelTopology.config.layers.find((l: { name: string }) => l.name === name) as { class_name: string; config: Record<string, unknown>; inbound_nodes: Node[] } }
}

const twoInputs = (layer: AnyLayer, tq: number, tv: number, f: number, masked = false) => {
  const q = input({ shape: [tq, f], name: 'q' })
  const v = input({ shape: [tv, f], name: 'v' })
  const [qq, vv] = masked ? [call(L.masking(0), q), call(L.masking(0), v)] : [q, v]
  return model({ inputs: [q, v], outputs: call(layer as never, [qq, vv] as never) as never })
}

describe('Attention / AdditiveAttention files', () => {
  it('TensorFlow.js 4.22 does not know the attention classes (so no tfjs cross-check is possible)', async () => {
    const m = twoInputs(L.attention({ useScale: true }), 3, 3, 2)
    const dir = join(root, 'tfjs-refuses')
    await save(m, dir)
    const a = artifactsOf(dir)
    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }))).rejects.toThrow(/Unknown layer: Attention/)
  })
  it('Attention(useScale, concat, causal) saves Keras 2.15 form (flags as call arguments) and loads back with the same predictions', async () => {
    const m = twoInputs(L.attention({ useScale: true, scoreMode: 'concat', useCausalMask: true, dropout: 0.1, name: 'att' }), 4, 4, 3, true)
    const dir = join(root, 'attention')
    await save(m, dir)
    const { doc, layer } = layerJson(dir, 'att')
    expect(layer.class_name).toBe('Attention')
    expect(layer.config).toMatchObject({ name: 'att', use_scale: true, score_mode: 'concat', dropout: 0.1 })
    expect(layer.config).not.toHaveProperty('use_causal_mask')
    expect(layer.inbound_nodes[0].map((r) => r[3])).toEqual([{ use_causal_mask: true }, { use_causal_mask: true }])
    expect(doc.weightsManifest[0].weights.map((w: { name: string; shape: number[] }) => [w.name, w.shape])).toEqual([
      ['att/scale', []],
      ['att/concat_score_weight', []]
    ])
    const back = await load(dir)
    expect(back.layers.find((l) => l.name === 'att')?.config).toEqual(m.layers.find((l) => l.name === 'att')?.config)
    const x = [tensor(seqData(2, 4, 3, 1)), tensor(seqData(2, 4, 3, 2))]
    same(back.predict(x) as Tensor, m.predict(x) as Tensor)
  })
  it("Keras's deprecated `causal` config key loads as useCausalMask", async () => {
    const m = twoInputs(L.additiveAttention({ useCausalMask: true, name: 'add' }), 3, 3, 2)
    const dir = join(root, 'causal-key')
    await save(m, dir)
    const { doc, layer } = layerJson(dir, 'add')
    layer.config.causal = true
    layer.inbound_nodes = [layer.inbound_nodes[0].map((r) => [r[0], r[1], r[2], {}] as const)]
    writeFileSync(join(dir, 'model.json'), JSON.stringify(doc))
    const back = await load(dir)
    expect(back.layers.find((l) => l.name === 'add')?.config.useCausalMask).toBe(true)
    const x = [tensor(seqData(2, 3, 2, 3)), tensor(seqData(2, 3, 2, 4))]
    same(back.predict(x) as Tensor, m.predict(x) as Tensor)
  })
  it('returnAttentionScores round-trips (two outputs) and an unknown call argument is refused with its path', async () => {
    const q = input({ shape: [3, 2], name: 'q' })
    const v = input({ shape: [5, 2], name: 'v' })
    const [y, s] = call(L.additiveAttention({ returnAttentionScores: true, name: 'add' }), [q, v])
    const m = model({ inputs: [q, v], outputs: [y, s] })
    const dir = join(root, 'scores')
    await save(m, dir)
    const back = await load(dir)
    const x = [tensor(seqData(2, 3, 2, 5)), tensor(seqData(2, 5, 2, 6))]
    const [a, b] = m.predict(x) as unknown as Tensor[]
    const [a2, b2] = back.predict(x) as unknown as Tensor[]
    expect(b.shape).toEqual([2, 3, 5])
    same(a2, a)
    same(b2, b)
    const { doc, layer } = layerJson(dir, 'add')
    layer.inbound_nodes = [layer.inbound_nodes[0].map((r) => [r[0], r[1], r[2], { use_causl_mask: true }] as const)]
    writeFileSync(join(dir, 'model.json'), JSON.stringify(doc))
    await expect(load(dir)).rejects.toThrow(/inbound_nodes\[0\]\[0\]\[3\]\.use_causl_mask/)
  })
})

describe('MultiHeadAttention files', () => {
  const build = () => {
    const q = input({ shape: [4, 3], name: 'q' })
    const v = input({ shape: [5, 2], name: 'v' })
    const am = input({ shape: [4, 5], name: 'am' })
    const y = call(L.multiHeadAttention(2, 3, { valueDim: 2, outputShape: 4, useCausalMask: true, kernelRegularizer: 'l2', name: 'mha' }), [call(L.masking(0), q), v, v, am])
    return model({ inputs: [q, v, am], outputs: y })
  }
  const data = () => [tensor(seqData(2, 4, 3, 1)), tensor(seqData(2, 5, 2, 2)), tensor([0, 1].map((b) => [0, 1, 2, 3].map((i) => [0, 1, 2, 3, 4].map((j) => ((b + i + j) % 4 === 0 ? 0 : 1)))))]
  it('TensorFlow.js 4.22 cannot load it', async () => {
    const dir = join(root, 'mha-tfjs')
    await save(build(), dir)
    const a = artifactsOf(dir)
    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }))).rejects.toThrow(/Unknown layer: MultiHeadAttention/)
  })
  it('saves Keras 2.15 form (config keys, value/key/attention_mask/use_causal_mask as call arguments, weight names) and loads back with the same predictions', async () => {
    const m = build()
    const dir = join(root, 'mha')
    await save(m, dir)
    const { doc, layer } = layerJson(dir, 'mha')
    expect(layer.class_name).toBe('MultiHeadAttention')
    expect(layer.config).toMatchObject({ name: 'mha', num_heads: 2, key_dim: 3, value_dim: 2, dropout: 0, use_bias: true, output_shape: 4, attention_axes: null })
    expect(layer.config.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.01 } })
    expect(layer.inbound_nodes).toEqual([[['masking', 0, 0, { value: ['v', 0, 0], key: ['v', 0, 0], attention_mask: ['am', 0, 0], use_causal_mask: true }]]])
    expect(doc.weightsManifest[0].weights.map((w: { name: string; shape: number[] }) => [w.name, w.shape])).toEqual([
      ['mha/query/kernel', [3, 2, 3]],
      ['mha/query/bias', [2, 3]],
      ['mha/key/kernel', [2, 2, 3]],
      ['mha/key/bias', [2, 3]],
      ['mha/value/kernel', [2, 2, 2]],
      ['mha/value/bias', [2, 2]],
      ['mha/attention_output/kernel', [2, 2, 4]],
      ['mha/attention_output/bias', [4]]
    ])
    const back = await load(dir)
    expect(back.layers.find((l) => l.name === 'mha')?.config).toEqual(m.layers.find((l) => l.name === 'mha')?.config)
    expect(back.paramSpecs?.filter((p) => p.regularizer !== undefined).length).toBe(4)
    same(back.predict(data()) as Tensor, m.predict(data()) as Tensor)
  })
  it("a Keras 2.15 file (built shapes in the config, only `value` named) loads: key defaults to value", async () => {
    const q = input({ shape: [4, 3], name: 'q' })
    const v = input({ shape: [5, 3], name: 'v' })
    const m = model({ inputs: [q, v], outputs: call(L.multiHeadAttention(1, 2, { name: 'mha' }), [q, v]) })
    const dir = join(root, 'mha-keras')
    await save(m, dir)
    const { doc, layer } = layerJson(dir, 'mha')
    Object.assign(layer.config, { query_shape: [null, 4, 3], key_shape: [null, 5, 3], value_shape: [null, 5, 3], trainable: true, dtype: 'float32', attention_axes: [1] })
    layer.inbound_nodes = [[['q', 0, 0, { value: ['v', 0, 0] }]]]
    writeFileSync(join(dir, 'model.json'), JSON.stringify(doc))
    const back = await load(dir)
    const x = [tensor(seqData(2, 4, 3, 3)), tensor(seqData(2, 5, 3, 4))]
    same(back.predict(x) as Tensor, m.predict(x) as Tensor)
  })
})
