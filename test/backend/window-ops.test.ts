/**
 * The windowed kernels' spec builders (`kernels/conv.ts`, `kernels/pool.ts`) and their dispatcher
 * (`window-ops.ts`) against the float64 loops of `window.ts`, on webasm: both convolution paths (direct
 * kernels, as WebGPU runs them, and im2col + matmul, as webasm does), over strides, padding, input and
 * kernel dilation (the transposed convolution of the input VJP) and groups; pooling and both routings.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { GPU } from 'gpu.js'
import { compileSpec, flattenResult, type GpuLike, type KernelFn } from '../../src/backend/gpujs/runtime.js'
import { gpujsWindowOps } from '../../src/backend/gpujs/window-ops.js'
import { convKey, convSpec } from '../../src/backend/gpujs/kernels/conv.js'
import { routeScatterSpec } from '../../src/backend/gpujs/kernels/pool.js'
import { createGpujsBackend } from '../../src/backend/gpujs/backend.js'
import { convOutShape, makeWindowLoops, poolOutShape, type ConvGeometry, type PoolGeometry } from '../../src/backend/window.js'
import type { Spec } from '../../src/backend/gpujs/kernels/spec.js'
import type { View } from '../../src/backend/Backend.js'
import { convCases } from './conv-cases.js'

const gpu = new GPU({ mode: 'webasm' }) as unknown as GpuLike
const cache = new Map<string, KernelFn>()
let builds = 0
const run = (key: string, spec: () => Spec, args: unknown[], n: number): Float32Array => {
  let k = cache.get(key)
  if (k === undefined) {
    builds++
    k = compileSpec(gpu, spec())
    cache.set(key, k)
  }
  return flattenResult(k(...args), n, true, 'webasm')
}
const direct = gpujsWindowOps<'sync'>(run, { conv: 'direct' })
const viaMatmul = gpujsWindowOps<'sync'>(run, { matmul: createGpujsBackend('webasm', gpu).matmul })
const ref = makeWindowLoops(Float64Array)

let seed = 7
const view = (shape: ReadonlyArray<number>, ties = false): View => {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1))
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    data[i] = ties ? Math.floor((seed / 2 ** 32) * 5) - 2 : (seed / 2 ** 32) * 4 - 2
  }
  return { data, shape }
}
const close = (got: ArrayLike<number>, want: ArrayLike<number>): void => {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])))
}

describe('window kernels (spec builders) against the float64 loops', () => {
  it('convolution and its kernel cotangent, direct and as im2col + matmul, over strides, padding, dilations and groups', () => {
    fc.assert(
      fc.property(convCases({ n: 2, k: 3, pad: 2, cig: 3 }), ({ g, xShape, wShape, out }) => {
        const x = view(xShape)
        const w = view(wShape)
        const ct = view(out)
        const want = ref.conv(x, w, g, out)
        close(direct.conv(x, w, g, out), want)
        close(viaMatmul.conv(x, w, g, out), want)
        const kw = ref.convKernelGrad(x, ct, g, w.shape)
        close(direct.convKernelGrad(x, ct, g, w.shape), kw)
        close(viaMatmul.convKernelGrad(x, ct, g, w.shape), kw)
      }),
      { numRuns: 40, seed: 11 }
    )
  })

  it('pooling (max, avg) and both routings, ties included', () => {
    const cases: Array<[number[], PoolGeometry]> = [
      [[2, 7, 6, 3], { window: [2, 3], strides: [2, 2], padding: [[0, 1], [1, 1]] }],
      [[1, 9, 2], { window: [3], strides: [1], padding: [[1, 1]] }],
      [[2, 4, 4, 1], { window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]] }]
    ]
    for (const [shape, g] of cases) {
      const x = view(shape, true)
      const out = poolOutShape(shape, g)
      for (const op of ['max', 'avg'] as const) {
        const y = { data: ref.pool(op, x, g, out), shape: out }
        close(direct.pool(op, x, g, out), y.data)
        const ty = view(out)
        const tx = view(shape)
        close(direct.poolRoute(op, 'scatter', x, y, ty, g), ref.poolRoute(op, 'scatter', x, y, ty, g))
        close(direct.poolRoute(op, 'gather', x, y, tx, g), ref.poolRoute(op, 'gather', x, y, tx, g))
      }
    }
  })

  it('max-pool scatter over tiling windows (stride = window, no padding) reads its one window directly, bit for bit the general form', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.record({ s: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (n, c, axes, ties) => {
          const dims = axes.map((a) => ({ s: Math.max(a.s, a.w), w: a.w }))
          const shape = [n, ...dims.map((d) => d.s), c]
          const g: PoolGeometry = { window: dims.map((d) => d.w), strides: dims.map((d) => d.w), padding: dims.map(() => [0, 0] as [number, number]) }
          const out = poolOutShape(shape, g)
          const x = view(shape, ties)
          const y = { data: ref.pool('max', x, g, out), shape: out }
          const t = view(out)
          const cells = x.data.length
          const tiledSpec = routeScatterSpec('max', shape, out, g)
          const generalSpec = routeScatterSpec('max', shape, out, g, 'general')
          expect(tiledSpec.source).not.toEqual(generalSpec.source)
          const args = [Float32Array.from(x.data), Float32Array.from(y.data), Float32Array.from(t.data)]
          const a = flattenResult(compileSpec(gpu, tiledSpec)(...args), cells, true, 'webasm')
          const b = flattenResult(compileSpec(gpu, generalSpec)(...args), cells, true, 'webasm')
          expect(Array.from(new Uint32Array(a.buffer, a.byteOffset, cells))).toEqual(Array.from(new Uint32Array(b.buffer, b.byteOffset, cells)))
          close(a, ref.poolRoute('max', 'scatter', x, y, t, g))
        }
      ),
      { numRuns: 25, seed: 5 }
    )
  })

  it('a convolution with one input channel per group runs the direct kernel even where a matmul is given; two channels run im2col', () => {
    const g: ConvGeometry = { strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }
    for (const [cin, direct1] of [[1, true], [2, false]] as const) {
      const x = view([2, 9, 7, cin])
      const w = view([3, 3, cin, 5])
      const out = convOutShape(x.shape, w.shape, g)
      const before = new Set(cache.keys())
      close(viaMatmul.conv(x, w, g, out), ref.conv(x, w, g, out))
      expect(cache.has(convKey(x.shape, w.shape, g))).toBe(direct1)
      // im2col's matmul kernels live in the matmul's own backend: this cache gains nothing
      expect([...cache.keys()].filter((k) => !before.has(k))).toEqual(direct1 ? [convKey(x.shape, w.shape, g)] : [])
    }
  })

  it('a spec is built once per geometry and bakes every size in as a literal', () => {
    const x = view([1, 5, 5, 2])
    const w = view([3, 3, 2, 4])
    const g: ConvGeometry = { strides: [1, 1], padding: [[1, 1], [1, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }
    const out = convOutShape(x.shape, w.shape, g)
    direct.conv(x, w, g, out)
    const before = builds
    direct.conv(view(x.shape), view(w.shape), g, out)
    expect(builds).toBe(before)
    const spec = convSpec(x.shape, w.shape, g, out)
    expect(spec.output.reduce((a, b) => a * b, 1)).toBe(out.reduce((a, b) => a * b, 1))
    expect(spec.source).toMatch(/c < 2;/)
  })
})
