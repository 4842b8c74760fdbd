/**
 * @internal The windowed ops — convolution, its kernel cotangent, pooling and the pooling VJP's routing —
 * of a gpu.js backend of either timing (webasm/cpu: buffers now; WebGPU: Promises), over the backend's
 * `run` (compile-or-reuse a kernel from a spec, flatten its result) and its matmul. The kernel sources
 * are the module-level builders of `kernels/conv.ts` and `kernels/pool.ts`; this file only chooses.
 *
 * Convolutions are im2col (`im2col.ts`) feeding the backend's matmul — measured on webasm 5–10× faster
 * than the direct kernels of `kernels/conv.ts`, which run with `conv: 'direct'` (and where no matmul is
 * given), and for a convolution with one input channel per group, where they are faster (`directWins`). Pooling runs as kernels. Beyond exact f32 indices (2^24) everything falls back to the plain
 * loops of `window.ts`.
 *
 * @since 0.3.0
 */
import type { Shape } from '../../core/Shape.js'
import type { FloatBuffer } from '../../core/Tensor.js'
import type { Backend, Later, Timing, View } from '../Backend.js'
import { type ConvGeometry, type PoolGeometry, type PoolOp, type RouteDir, makeWindowLoops } from '../window.js'
import { F32_EXACT, prod } from './layout.js'
import type { RunKernel } from './kernels/spec.js'
import { convKernelGradKey, convKernelGradSpec, convKey, convSpec } from './kernels/conv.js'
import { poolKey, poolSpec, routeMaxGatherKey, routeMaxGatherSpec, routeScatterKey, routeScatterSpec } from './kernels/pool.js'
import { convIm2col, kernelGradIm2col, type MatmulKernel } from './im2col.js'

export interface WindowOptions<R extends Timing> {
  /** The backend's matmul, for convolutions as im2col + matmul. */
  readonly matmul?: MatmulKernel<Later<R, FloatBuffer>>
  /** How convolutions run: `im2col` (default where a matmul is given) or `direct` (the kernels of `kernels/conv.ts`). */
  readonly conv?: 'im2col' | 'direct'
  /** Element count from which f32 index math is inexact (default 2^24; tests lower it). */
  readonly limit?: number
}

type WindowOps<R extends Timing> = Pick<Backend<R>, 'conv' | 'convKernelGrad' | 'pool' | 'poolRoute'>

const f32 = (v: View): Float32Array => (v.data instanceof Float32Array ? v.data : Float32Array.from(v.data))

/** The windowed ops of a gpu.js backend whose `run` delivers with timing `R`. */
export const gpujsWindowOps = <R extends Timing>(run: RunKernel<Later<R, Float32Array>>, opts: WindowOptions<R> = {}): WindowOps<R> => {
  const loops = makeWindowLoops(Float32Array)
  const limit = opts.limit ?? F32_EXACT
  const small = (...ns: number[]): boolean => ns.every((n) => n < limit)
  const mm = opts.conv === 'direct' ? undefined : opts.matmul
  const now = (b: FloatBuffer): Later<R, FloatBuffer> => b as Later<R, FloatBuffer>

  const convDirect = (x: View, w: View, g: ConvGeometry, out: Shape): Later<R, FloatBuffer> => {
    const n = prod(out)
    if (!small(n, x.data.length, w.data.length)) return now(loops.conv(x, w, g, out))
    return run(convKey(x.shape, w.shape, g), () => convSpec(x.shape, w.shape, g, out), [f32(x), f32(w)], n, x.data.length + w.data.length)
  }
  const conv = (x: View, w: View, g: ConvGeometry, out: Shape): Later<R, FloatBuffer> => {
    const n = prod(out)
    if (n === 0) return now(new Float32Array(0))
    if (x.data.length === 0) return now(new Float32Array(n))
    return mm !== undefined && !directWins(x, w, g, n) ? (convIm2col(mm, x, w, g, out) as Later<R, FloatBuffer>) : convDirect(x, w, g, out)
  }
  /**
   * One input channel per group (a first layer on grey images, a depthwise convolution): the patch
   * matrix has only `taps` columns, so im2col + matmul is all overhead — copying the patches, a matmul
   * with k = 9 and reordering its 4-row blocks — and the direct kernel wins (fastest of 7 rounds, webasm:
   * `[64,28,28,1] * [3,3,1,16]` 2.8 ms against 9.1; `[32,28,28,1]` into 16 and 32 channels 1.4 against
   * 3.6 and 6.0 against 6.6). From two channels up im2col wins (2 → 16: 2.8 against 10.5 ms). Only
   * while the direct kernel's indices are exact; past that im2col's are.
   */
  const directWins = (x: View, w: View, g: ConvGeometry, n: number): boolean =>
    x.shape[x.shape.length - 1] / g.groups === 1 && small(n, x.data.length, w.data.length)

  const kernelGradDirect = (x: View, ct: View, g: ConvGeometry, kernel: Shape): Later<R, FloatBuffer> => {
    const n = prod(kernel)
    if (!small(n, x.data.length, ct.data.length)) return now(loops.convKernelGrad(x, ct, g, kernel))
    return run(convKernelGradKey(x.shape, ct.shape, g, kernel), () => convKernelGradSpec(x.shape, ct.shape, g, kernel), [f32(x), f32(ct)], n, x.data.length + ct.data.length)
  }
  const convKernelGrad = (x: View, ct: View, g: ConvGeometry, kernel: Shape): Later<R, FloatBuffer> => {
    const n = prod(kernel)
    if (n === 0) return now(new Float32Array(0))
    if (ct.data.length === 0) return now(new Float32Array(n))
    return mm !== undefined ? (kernelGradIm2col(mm, x, ct, g, kernel) as Later<R, FloatBuffer>) : kernelGradDirect(x, ct, g, kernel)
  }

  const pool = (op: PoolOp, x: View, g: PoolGeometry, out: Shape): Later<R, FloatBuffer> => {
    const n = prod(out)
    if (n === 0) return now(new Float32Array(0))
    if (!small(n, x.data.length)) return now(loops.pool(op, x, g, out))
    return run(poolKey(op, x.shape, g), () => poolSpec(op, x.shape, g, out), [f32(x)], n, x.data.length)
  }

  const poolRoute = (op: PoolOp, dir: RouteDir, x: View, y: View, t: View, g: PoolGeometry): Later<R, FloatBuffer> => {
    const n = dir === 'scatter' ? x.data.length : y.data.length
    if (n === 0) return now(new Float32Array(0))
    if (!small(x.data.length, y.data.length) || y.data.length === 0) return now(loops.poolRoute(op, dir, x, y, t, g))
    const args = [f32(x), f32(y), f32(t)]
    if (dir === 'gather') {
      if (op === 'avg') return pool('avg', t, g, y.shape)
      return run(routeMaxGatherKey(x.shape, g), () => routeMaxGatherSpec(x.shape, g, y.shape), args, n, 2 * x.data.length + y.data.length)
    }
    return run(routeScatterKey(op, x.shape, y.shape, g), () => routeScatterSpec(op, x.shape, y.shape, g), args, n, x.data.length + 2 * y.data.length)
  }

  return { conv, convKernelGrad, pool, poolRoute }
}
