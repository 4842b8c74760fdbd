/**
 * Issue 12 on issue 11's layers: the WebGPU backend runs a compiled LSTM training step (one `scan` in the
 * plan) unchanged, with webasm's results. Dawn here is Mesa llvmpipe (a CPU adapter); where Dawn does
 * not load, the test only checks that it was not expected to.
 */
import { describe, it, expect } from 'vitest'
import { installWebGpu, setBackend, getBackend, sequential, layers as L, tensor, Tree, toArray } from '../../src/index.js'

const dawnExpected = process.platform === 'linux' && process.arch === 'x64'

const fitLstm = async () => {
  const m = sequential([L.lstm(4, { inputShape: [5, 3] }), L.dense(1)], { seed: 1 })
  const t = m.compile({ optimizer: 'sgd', loss: 'mse' })
  const x = tensor(Array.from({ length: 4 }, (_, i) => Array.from({ length: 5 }, (_, j) => [Math.sin(i + j), Math.cos(i - j), ((i * j) % 3) / 3])))
  const y = tensor([[0.1], [0.5], [-0.2], [0.3]])
  const r = await t.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, shuffle: false })
  return { loss: r.history.history.loss, w: Tree.leaves(r.trainer.model.params).map((w) => (toArray(w) as unknown as number[]).flat(3) as number[]) }
}

describe('webgpu backend and the LSTM', () => {
  it('fits a compiled LSTM with the losses and weights of webasm (within 1e-4)', async () => {
    if (!(await installWebGpu()).ok) return expect(dawnExpected).toBe(false)
    const prev = getBackend()
    setBackend('webasm')
    const want = await fitLstm()
    setBackend('webgpu')
    try {
      const got = await fitLstm()
      got.loss.forEach((l, i) => expect(Math.abs(l - want.loss[i])).toBeLessThanOrEqual(1e-4))
      got.w.forEach((ws, i) => ws.forEach((v, k) => expect(Math.abs(v - want.w[i][k])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want.w[i][k])))))
      expect(want.loss[1]).toBeLessThan(want.loss[0])
    } finally {
      setBackend(prev.name as 'webasm')
    }
  })
})
