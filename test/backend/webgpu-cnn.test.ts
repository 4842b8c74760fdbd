/**
 * Issue 12 on issue 10's layers: the WebGPU backend runs a compiled CNN training step (conv2d,
 * maxPooling2d, batchNormalization, dense) unchanged, with webasm's results, and the convolutions (both
 * VJPs included) and pooling run as WebGPU kernels. Dawn here is Mesa llvmpipe (a CPU adapter); where
 * Dawn does not load, the test only checks that it was not expected to.
 */
import { describe, it, expect } from 'vitest'
import { installWebGpu, setBackend, getBackend, sequential, layers as L, tensor, Tree, toArray } from '../../src/index.js'

const dawnExpected = process.platform === 'linux' && process.arch === 'x64'

/** 16 images 16×16×1 (big enough that every window op crosses the WebGPU size thresholds), 3 classes. */
const data = () => {
  const xs = Array.from({ length: 16 }, (_, i) => Array.from({ length: 16 }, (_, r) => Array.from({ length: 16 }, (_, c) => [Math.sin(0.3 * r * (1 + (i % 3)) + 0.2 * c) * Math.cos(0.1 * i * c)])))
  const ys = Array.from({ length: 16 }, (_, i) => i % 3)
  return { x: tensor(xs), y: tensor(ys) }
}

const fitCnn = async () => {
  const m = sequential(
    [
      L.conv2d(8, 3, { padding: 'same', activation: 'relu', inputShape: [16, 16, 1] }),
      L.maxPooling2d(2),
      L.conv2d(16, 3, { padding: 'same' }),
      L.batchNormalization(),
      L.maxPooling2d(2),
      L.flatten(),
      L.dense(3, { activation: 'softmax' })
    ],
    { seed: 3 }
  )
  const t = m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' })
  const { x, y } = data()
  const r = await t.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, shuffle: false })
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])
  return {
    loss: r.history.history.loss,
    params: Tree.leaves(r.trainer.model.params).map((w) => flat(toArray(w))),
    state: Tree.leaves(r.trainer.model.state).map((w) => flat(toArray(w)))
  }
}

describe('webgpu backend and a CNN', () => {
  it('fits conv2d + maxPooling2d + batchNormalization + dense with the losses, weights and moving statistics of webasm, on WebGPU conv and pool kernels', async () => {
    if (!(await installWebGpu()).ok) return expect(dawnExpected).toBe(false)
    const prev = getBackend()
    setBackend('webasm')
    const want = await fitCnn()
    setBackend('webgpu')
    try {
      const got = await fitCnn()
      const families = (getBackend() as unknown as { kernelFamilies(): Record<string, number> }).kernelFamilies()
      // the forward convolution and the input cotangent (a convolution too), the kernel cotangent, max pooling and its routing
      expect(families.conv ?? 0).toBeGreaterThanOrEqual(2)
      expect(families.convkg ?? 0).toBeGreaterThanOrEqual(1)
      expect(families.poolmax ?? 0).toBeGreaterThanOrEqual(1)
      expect(families.routemaxs ?? 0).toBeGreaterThanOrEqual(1)
      expect(got.loss.length).toBe(2)
      got.loss.forEach((l, i) => expect(Math.abs(l - want.loss[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want.loss[i]))))
      const close = (a: number[][], b: number[][]) =>
        a.forEach((ws, i) => ws.forEach((v, k) => expect(Math.abs(v - b[i][k])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(b[i][k])))))
      close(got.params, want.params)
      close(got.state, want.state)
      expect(want.state.length).toBeGreaterThan(0)
    } finally {
      setBackend(prev.name as 'webasm')
    }
  })
})
