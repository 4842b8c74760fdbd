/**
 * Keras's weight options on the convolution and pooling layers: `trainable`, `kernelRegularizer`,
 * `biasRegularizer`, `activityRegularizer`, `kernelConstraint`, `biasConstraint` (depthwise:
 * `depthwise*`; separable: `depthwise*` and `pointwise*`) — accepted by the constructors, applied in
 * training (penalties in the reported loss, constraints after each update, frozen weights bit-identical),
 * and kept through TensorFlow.js files both ways.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sequential, layers as L, save, load, tensor, dataSync, compileOrThrow, regularizers, constraints, Model, type Tensor, type AnyLayer } from '../../src/index.js'
import { tfjsSave, tfjsLoad } from '../io/helpers.js'

const root = join(process.cwd(), 'tmp', 'test-layers-conv-options')

beforeAll(async () => {
  await tf.setBackend('cpu')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.731) + 0.1 * Math.cos(i * 3.1))
const arr = (t: Tensor): number[] => Array.from(dataSync(t))
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `at ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}
const seqOf = (ls: ReadonlyArray<AnyLayer>) => sequential(ls as never)

describe('convolution layers accept Keras weight options', () => {
  it('each kind takes its own option names, writes them into its config, and names a typo', () => {
    const c = L.conv2d(4, 3, { kernelRegularizer: 'l2', biasRegularizer: regularizers.l1(0.1), activityRegularizer: 'l1', kernelConstraint: 'maxNorm', biasConstraint: constraints.nonNeg(), trainable: false })
    expect(c.config.kernelRegularizer).toEqual({ kind: 'L1L2', config: { l1: 0, l2: 0.01 } })
    expect(c.config.biasRegularizer).toEqual({ kind: 'L1L2', config: { l1: 0.1, l2: 0 } })
    expect(c.config.activityRegularizer).toEqual({ kind: 'L1L2', config: { l1: 0.01, l2: 0 } })
    expect(c.config.kernelConstraint).toEqual({ kind: 'MaxNorm', config: { maxValue: 2, axis: 0 } })
    expect(c.trainable).toBe(false)
    expect(Object.keys(c.regularizers ?? {})).toEqual(['kernel', 'bias'])
    expect(Object.keys(c.constraints ?? {})).toEqual(['kernel', 'bias'])
    const d = L.depthwiseConv2d(3, { depthwiseRegularizer: 'l2', depthwiseConstraint: 'nonNeg', biasConstraint: 'nonNeg' })
    expect(Object.keys(d.regularizers ?? {})).toEqual(['depthwise_kernel'])
    expect(Object.keys(d.constraints ?? {})).toEqual(['depthwise_kernel', 'bias'])
    const s = L.separableConv2d(2, 3, { depthwiseRegularizer: 'l1', pointwiseRegularizer: 'l2', pointwiseConstraint: 'unitNorm' })
    expect(Object.keys(s.regularizers ?? {})).toEqual(['depthwise_kernel', 'pointwise_kernel'])
    expect(Object.keys(s.constraints ?? {})).toEqual(['pointwise_kernel'])
    for (const l of [L.conv1d(2, 2, { kernelConstraint: 'unitNorm' }), L.conv3d(2, 2, { kernelRegularizer: 'l1l2' }), L.conv2dTranspose(2, 2, { biasRegularizer: 'l2' })]) expect(l.kind).toMatch(/Conv/)
    expect(L.maxPooling2d(2, { trainable: false }).trainable).toBe(false)
    expect(L.globalAveragePooling1d({ trainable: false }).trainable).toBe(false)
    // Keras's names per kind: a dense-style name on a depthwise layer is a typo, with the right one suggested
    expect(() => L.depthwiseConv2d(3, { kernelRegularizer: 'l2' } as never)).toThrow(/depthwiseConv2d: unknown option 'kernelRegularizer'/)
    expect(() => L.conv2d(4, 3, { kernelRegulariser: 'l2' } as never)).toThrow(/unknown option 'kernelRegulariser' \(did you mean 'kernelRegularizer'\?\)/)
    expect(() => L.conv2d(4, 3, { kernelRegularizer: 'l3' as never })).toThrow(/conv2d.kernelRegularizer: unknown regularizer/)
    expect(() => L.separableConv2d(4, 3, { pointwiseConstraint: 'nope' as never })).toThrow(/separableConv2d.pointwiseConstraint: unknown constraint/)
    expect(() => L.maxPooling2d(2, { trainable: 'no' } as never)).toThrow(/trainable/)
  })

  it('penalties are added to the reported loss: Σ over each kind of kernel, bias and activity', async () => {
    const x = tensor(values(4 * 5 * 5 * 2, 1), [4, 5, 5, 2])
    const y = tensor(values(4 * 3, 2), [4, 3])
    const make = (o: { conv?: object; dw?: object; sep?: object }) =>
      seqOf([
        L.conv2d(3, 2, { inputShape: [5, 5, 2], kernelInitializer: 'ones', biasInitializer: 'ones', ...o.conv }),
        L.depthwiseConv2d(2, { depthwiseInitializer: 'ones', ...o.dw }),
        L.separableConv2d(3, 2, { depthwiseInitializer: 'ones', pointwiseInitializer: 'ones', ...o.sep }),
        L.globalAveragePooling2d()
      ])
    const opts = { optimizer: 'sgd', loss: 'mse' } as const
    const base = (await compileOrThrow(make({}), opts).evaluate(x, y, { verbose: 0 })) as unknown as number
    const withReg = make({ conv: { kernelRegularizer: regularizers.l2(0.5), biasRegularizer: regularizers.l1(0.25) }, dw: { depthwiseRegularizer: regularizers.l1(0.125) }, sep: { pointwiseRegularizer: regularizers.l2(2) } })
    const reg = (await compileOrThrow(withReg, opts).evaluate(x, y, { verbose: 0 })) as unknown as number
    // conv kernel 2·2·2·3 = 24 ones, bias 3 ones, depthwise kernel 2·2·3·1 = 12 ones, pointwise 1·1·3·3 = 9 ones
    expect(reg - base).toBeCloseTo(0.5 * 24 + 0.25 * 3 + 0.125 * 12 + 2 * 9, 3)
    // activity: l2(0.1) of the conv output, divided by the batch size
    const act = make({ conv: { activityRegularizer: regularizers.l2(0.1) } })
    const out = arr(seqOf([L.conv2d(3, 2, { inputShape: [5, 5, 2], kernelInitializer: 'ones', biasInitializer: 'ones' })]).predict(x) as Tensor)
    const got = (await compileOrThrow(act, opts).evaluate(x, y, { verbose: 0 })) as unknown as number
    expect(got - base).toBeCloseTo((0.1 * out.reduce((s, v) => s + v * v, 0)) / 4, 2)
  })

  it('constraints hold after fit; layers frozen in their constructor stay bit-identical (compiled and eager)', async () => {
    const x = tensor(values(8 * 6 * 6 * 1, 3), [8, 6, 6, 1])
    const y = tensor(values(8 * 2, 4), [8, 2])
    const m = seqOf([
      L.conv2d(3, 3, { inputShape: [6, 6, 1], kernelConstraint: constraints.nonNeg(), biasConstraint: 'nonNeg', name: 'c' }),
      L.depthwiseConv2d(2, { depthwiseConstraint: constraints.maxNorm(0.3, [0, 1, 2]), trainable: false, name: 'dw' }),
      L.maxPooling2d(2, { trainable: false }),
      L.separableConv2d(2, 1, { pointwiseConstraint: constraints.unitNorm([0, 1, 2]), name: 'sep' }),
      L.globalAveragePooling2d()
    ])
    const before = Model.weights(m)
    expect(before.map((w) => [w.name, w.trainable])).toEqual([
      ['c/kernel', true], ['c/bias', true], ['dw/depthwise_kernel', false], ['dw/bias', false], ['sep/depthwise_kernel', true], ['sep/pointwise_kernel', true], ['sep/bias', true]
    ])
    for (const runEagerly of [false, true]) {
      const r = await compileOrThrow(m, { optimizer: 'adam', loss: 'mse', runEagerly }).fit(x, y, { batchSize: 4, epochs: 2, verbose: 0 })
      const after = Model.weights(r.trainer.model)
      expect(arr(after[0].value).every((v) => v >= 0)).toBe(true)
      expect(arr(after[1].value).every((v) => v >= 0)).toBe(true)
      // frozen: bit for bit, although its constraint would otherwise rescale it
      expect(arr(after[2].value)).toEqual(arr(before[2].value))
      expect(arr(after[3].value)).toEqual(arr(before[3].value))
      // unit norms over the pointwise kernel's input axes, per filter
      const pw = arr(after[5].value)
      for (let f = 0; f < 2; f++) expect(Math.hypot(pw[f], pw[2 + f], pw[4 + f])).toBeCloseTo(1, 4)
      expect(arr(after[4].value)).not.toEqual(arr(before[4].value))
    }
  })
})

describe('weight options through TensorFlow.js files', () => {
  it('tensorfold -> tfjs: tfjs reads each option and predicts the same; loading back gives the same configs', async () => {
    const m0 = seqOf([
      L.conv2d(3, 2, { inputShape: [6, 6, 2], kernelRegularizer: regularizers.l2(0.02), kernelConstraint: constraints.maxNorm(3), biasConstraint: 'nonNeg', trainable: false }),
      L.depthwiseConv2d(2, { depthMultiplier: 2, depthwiseRegularizer: regularizers.l1l2({ l1: 0.1, l2: 0.2 }), depthwiseConstraint: 'nonNeg', biasRegularizer: 'l2' }),
      L.conv2dTranspose(2, 2, { strides: 2, kernelRegularizer: 'l1', biasConstraint: constraints.minMaxNorm({ minValue: 0.5, maxValue: 1 }) }),
      L.maxPooling2d(2, { trainable: false }),
      L.flatten()
    ])
    // weights that already satisfy their constraints (tfjs projects weights onto their constraints when it sets them; Keras does not)
    const ws = m0.getWeights().map((w, i) => tensor(values(w.shape.reduce((a, b) => a * b, 1), i + 1).map((v) => 0.3 * Math.abs(v)), w.shape))
    const m = m0.setWeights(ws.map((w, i) => (i === 5 ? tensor([0.4, 0.5]) : w)))
    const dir = join(root, 'ours')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    const cfg = tm.layers.map((l) => l.getConfig() as Record<string, unknown>)
    const reg = (v: unknown) => (v as { className: string; config: Record<string, number> } | undefined)
    expect(reg(cfg[0].kernelRegularizer)?.className).toBe('L1L2')
    expect(reg(cfg[0].kernelRegularizer)?.config.l2).toBeCloseTo(0.02, 6)
    expect(reg(cfg[0].kernelConstraint)?.className).toBe('MaxNorm')
    expect(reg(cfg[0].biasConstraint)?.className).toBe('NonNeg')
    expect(tm.layers[0].trainable).toBe(false)
    expect(reg(cfg[1].depthwiseRegularizer)?.config.l1).toBeCloseTo(0.1, 6)
    // tfjs 4.22's DepthwiseConv2D.getConfig writes its regularizer where the constraint belongs: read the layer itself
    expect((tm.layers[1] as unknown as { depthwiseConstraint: { getClassName(): string } }).depthwiseConstraint.getClassName()).toBe('NonNeg')
    expect(reg(cfg[1].biasRegularizer)?.config.l2).toBeCloseTo(0.01, 6)
    expect(reg(cfg[2].kernelRegularizer)?.config.l1).toBeCloseTo(0.01, 6)
    expect(reg(cfg[2].biasConstraint)?.className).toBe('MinMaxNorm')
    expect(tm.layers[3].trainable).toBe(false)
    const x = values(2 * 6 * 6 * 2, 9)
    close(dataSync(m.predict(tensor(x, [2, 6, 6, 2])) as Tensor), (tm.predict(tf.tensor(x, [2, 6, 6, 2])) as tf.Tensor).dataSync())
    const back = await load(dir)
    expect(back.layers.map((l) => l.config)).toEqual(m.layers.map((l) => l.config))
    expect(back.layers.map((l) => l.trainable)).toEqual(m.layers.map((l) => l.trainable))
    // tfjs 4.22 cannot run a layer with an activity regularizer: that option round-trips through tensorfold files
    const a = seqOf([L.conv1d(2, 2, { inputShape: [5, 1], activityRegularizer: regularizers.l1l2({ l1: 0.3, l2: 0.1 }) })])
    await save(a, join(root, 'activity'))
    const aBack = await load(join(root, 'activity'))
    expect(aBack.layers[0].config.activityRegularizer).toEqual({ kind: 'L1L2', config: { l1: 0.3, l2: 0.1 } })
  })

  it('tfjs -> tensorfold: a tfjs CNN with regularizers, constraints and a frozen layer loads with them and predicts the same', async () => {
    const tm = tf.sequential()
    tm.add(tf.layers.conv1d({ filters: 3, kernelSize: 2, inputShape: [7, 2], kernelRegularizer: tf.regularizers.l2({ l2: 0.05 }), biasConstraint: tf.constraints.nonNeg() }))
    tm.add(tf.layers.reshape({ targetShape: [6, 3, 1] }))
    tm.add(tf.layers.conv2d({ filters: 2, kernelSize: 2, trainable: false, kernelConstraint: tf.constraints.unitNorm({ axis: 0 }) }))
    // (tfjs 4.22 saves a DepthwiseConv2D's depthwise regularizer as its constraint and drops the constraint: only its bias options survive a tfjs file)
    tm.add(tf.layers.depthwiseConv2d({ kernelSize: 1, biasRegularizer: tf.regularizers.l1l2({ l1: 0.1, l2: 0.2 }), biasConstraint: tf.constraints.maxNorm({ maxValue: 2 }) }))
    tm.add(tf.layers.separableConv2d({ filters: 2, kernelSize: 1, pointwiseRegularizer: tf.regularizers.l2({ l2: 0.4 }), depthwiseConstraint: tf.constraints.nonNeg() }))
    tm.add(tf.layers.flatten())
    const dir = join(root, 'theirs')
    await tfjsSave(tm, dir)
    const m = await load(dir)
    expect(m.layers.map((l) => l.kind)).toEqual(['Conv1D', 'Reshape', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Flatten'])
    const [c1, , c2, dw, sep] = m.layers
    expect(c1.regularizers?.kernel?.config).toEqual({ l1: 0, l2: expect.closeTo(0.05, 6) })
    expect(c1.constraints?.bias?.kind).toBe('NonNeg')
    expect(c2.trainable).toBe(false)
    expect(c2.constraints?.kernel?.kind).toBe('UnitNorm')
    expect(dw.regularizers?.bias?.config).toEqual({ l1: expect.closeTo(0.1, 6), l2: expect.closeTo(0.2, 6) })
    expect(dw.constraints?.bias?.kind).toBe('MaxNorm')
    expect(sep.regularizers?.pointwise_kernel?.config).toEqual({ l1: 0, l2: expect.closeTo(0.4, 6) })
    expect(sep.constraints?.depthwise_kernel?.kind).toBe('NonNeg')
    const x = values(3 * 7 * 2, 4)
    close(dataSync(m.predict(tensor(x, [3, 7, 2])) as Tensor), (tm.predict(tf.tensor(x, [3, 7, 2])) as tf.Tensor).dataSync())
  })
})
