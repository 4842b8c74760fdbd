/**
 * WebGPU through gpu.js and Dawn (the `webgpu` package): here the adapter is Mesa's llvmpipe on the CPU
 * (OpenGL backend, surfaceless EGL), elsewhere a real GPU. On Linux x64 Dawn must load; other
 * platforms only check that the refusal is clear.
 */
import { describe, it, expect } from 'vitest'
import type { Backend, Expr } from '../../src/backend/Backend.js'
import { installWebGpu, setBackend, getBackend, getSyncBackend, sequential, dense, randomNormal, key, Tree, dataSync, matmul, relu, add, mul, jit, tensor, toArray, type Tensor } from '../../src/index.js'

const dawnExpected = process.platform === 'linux' && process.arch === 'x64'

describe('webgpu backend', () => {
  it('is set up by installWebGpu where Dawn loads', async () => {
    const w = await installWebGpu()
    if (dawnExpected) expect(w).toMatchObject({ _tag: 'WebGpuReady', ok: true, source: 'dawn' })
    else if (!w.ok) expect(() => setBackend('webgpu')).toThrow(/navigator\.gpu is missing/)
  })

  it('replays compiled steps on GPU kernels with the results of webasm; eager ops use the sync fallback', async () => {
    if (!(await installWebGpu()).ok) return expect(dawnExpected).toBe(false)
    const f = (p: { w: Tensor; x: Tensor; b: Tensor }) => ({ y: relu(add(matmul(p.x, p.w), p.b)), z: mul(matmul(p.x, p.w, { transposeB: false }), 0.5) })
    const inp = { w: randomNormal(key(1), [96, 192]), x: randomNormal(key(2), [128, 96]), b: randomNormal(key(3), [192]) }
    const want = f(inp)
    const prev = getBackend()
    setBackend('webgpu')
    try {
      expect(getBackend().async).toBe(true)
      expect(getSyncBackend().name).toBe('webasm')
      expect(toArray(matmul(tensor([[1, 2]]), tensor([[3], [4]])))).toEqual([[11]])
      const g = jit(f)
      await g.async(inp, key(0))
      const got = await g.async(inp, key(0))
      const kernels = (getBackend() as unknown as { kernelCount(): number }).kernelCount()
      expect(kernels).toBeGreaterThan(0)
      const close = (a: Tensor, b: Tensor) => dataSync(a).forEach((v, i) => expect(Math.abs(v - dataSync(b)[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(dataSync(b)[i]))))
      close(got.y, want.y)
      close(got.z, want.z)
    } finally {
      setBackend(prev)
    }
  })

  it('trains a model with fit to the weights webasm gives', async () => {
    if (!(await installWebGpu()).ok) return expect(dawnExpected).toBe(false)
    const x = randomNormal(key(1), [256, 64])
    const y = randomNormal(key(2), [256, 4])
    const train = async () => {
      const m = sequential([dense(256, { inputShape: [64], activation: 'relu' }), dense(4)])
      const r = await m.compile({ optimizer: 'adam', loss: 'mse' }).fit(x, y, { epochs: 2, batchSize: 128, verbose: 0 })
      return Tree.leaves(r.trainer.params).flatMap((l) => Array.from(dataSync(l)))
    }
    const prev = getBackend()
    const a = await train()
    setBackend('webgpu')
    try {
      const b = await train()
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(v))))
    } finally {
      setBackend(prev)
    }
  })
})

describe('webgpu fused kernels', () => {
  it('read row and suffix broadcasts as webasm does (2-D and 1-D forms)', async () => {
    if (!(await installWebGpu()).ok) return expect(dawnExpected).toBe(false)
    const prev = getBackend()
    setBackend('webgpu')
    try {
      const gpu = getBackend() as Backend<'async'> & { kernelFamilies(): Record<string, number> }
      const e: Expr = { k: 'bin', op: 'mul', a: { k: 'bin', op: 'sub', a: { k: 'in', i: 0 }, b: { k: 'in', i: 1 } }, b: { k: 'in', i: 2 } }
      const v = (shape: number[], s: number) => ({ data: dataSync(randomNormal(key(s), shape)), shape })
      // [r, 1] over [r, c] with a [c] suffix: r == c (one size, two reads), and a narrow inner extent
      for (const [out, row, suf] of [[[128, 128], [128, 1], [128]], [[4096, 5], [4096, 1], [5]]]) {
        const ins = [v(out, 1), v(row, 2), v(suf, 3)]
        const before = gpu.kernelFamilies().f ?? 0
        const got = await gpu.fused(e, ins, out)
        expect(gpu.kernelFamilies().f ?? 0).toBe(before + 1)
        const want = getSyncBackend().fused(e, ins, out)
        got.forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]))))
      }
    } finally {
      setBackend(prev)
    }
  })
})
