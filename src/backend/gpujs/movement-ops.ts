/**
 * @internal The gpu.js kernels of the layout ops — transpose, broadcastTo, slice, gather, scatterAdd,
 * concat, pad — and the strided elementwise kernel they share with `binary`/`where`: one kernel over a
 * collapsed iteration space, in flat or `nd` addressing (see `layout.ts`), with the float64-free loop
 * fallbacks (`makeLoops(Float32Array)`) where only loops are exact (>= 2^24 elements). Split out of
 * `backend.ts`, which only dispatches.
 *
 * @since 0.3.0
 */
import type { View } from '../Backend.js'
import type { Shape } from '../../core/Shape.js'
import type { Buffer, FloatBuffer } from '../../core/Tensor.js'
import type { makeLoops } from '../loops.js'
import { F32_EXACT, bcastStrides, chooseAddressing, collapse, prod, rowStrides, type Addressing } from './layout.js'
import { intExact, nonEmpty } from './runtime.js'
import { fillKey, fillSpec } from './kernels/spec.js'
import { stridedKey, stridedSpec, type StridedInput } from './kernels/elementwise.js'
import { concatKey, concatSpec, gatherKey, gatherSpec, padKey, padSpec, scatterAddKey, scatterAddSpec, scatterPlan, type PadDim } from './kernels/movement.js'
import type { RunKernel } from './kernels/spec.js'
import { hostPad, hostSlice } from './host-copy.js'

/**
 * The layout ops over a backend's `run` (compile-or-reuse a kernel and flatten its result), with
 * `LIM` the element count from which f32 index math is inexact and `MIN_INNER` the narrowest innermost
 * dimension an `nd` kernel accepts.
 */
export const gpujsMovementOps = (run: RunKernel, loops: ReturnType<typeof makeLoops>, LIM: number, MIN_INNER: number) => {


  /**
   * One kernel over a collapsed output: `body(idx)` gets each input's index expression and returns
   * the value expression. Returns null when only the loops are exact.
   */
  const strided = (
    tag: string,
    dims: ReadonlyArray<number>,
    inputs: ReadonlyArray<{ data: ArrayLike<number>; strides: number[]; offset: number }>,
    body: (idx: string[]) => string
  ): Float32Array | null => {
    const n = prod(dims)
    const col = collapse(dims, inputs.map((i) => i.strides))
    const maxIn = inputs.reduce((m, i) => Math.max(m, i.data.length), 0)
    const mode = chooseAddressing(col.dims, maxIn, LIM, MIN_INNER)
    if (mode === null) return null
    const ins: StridedInput[] = inputs.map((inp, k) => ({ length: inp.data.length, strides: col.strides[k], offset: inp.offset }))
    return run(
      stridedKey(tag, col.dims, mode, ins),
      () => stridedSpec(col.dims, mode, ins, body),
      inputs.map((i) => nonEmpty(i.data)),
      n,
      maxIn * inputs.length
    )
  }

  /** Int32 in, Int32 out through a float kernel, when every value survives float32. */
  const layout = (x: Buffer, viaKernel: (xf: Buffer) => Float32Array | null, viaLoops: () => Buffer): Buffer => {
    if (x instanceof Int32Array) {
      if (!intExact(x)) return viaLoops()
      const r = viaKernel(x)
      return r === null ? viaLoops() : Int32Array.from(r)
    }
    const r = viaKernel(x)
    if (r !== null) return r
    const l = viaLoops()
    return l instanceof Float64Array ? Float32Array.from(l) : l
  }

  const transpose = (x: View, perm: ReadonlyArray<number>): Buffer => {
    const inSt = rowStrides(x.shape)
    const outShape = perm.map((p) => x.shape[p])
    const n = prod(outShape)
    if (n === 0) return x.data instanceof Int32Array ? new Int32Array(0) : new Float32Array(0)
    return layout(
      x.data,
      (d) =>
        strided(
          't',
          outShape,
          [{ data: d, strides: perm.map((p) => inSt[p]), offset: 0 }],
          ([i]) => i
        ),
      () => loops.transpose(x, perm)
    )
  }

  const broadcastTo = (x: View, out: Shape): Buffer => {
    const n = prod(out)
    if (n === 0) return x.data instanceof Int32Array ? new Int32Array(0) : new Float32Array(0)
    return layout(
      x.data,
      (d) => strided('bc', out, [{ data: d, strides: bcastStrides(x.shape, out), offset: 0 }], ([i]) => i),
      () => loops.broadcastTo(x, out)
    )
  }

  const slice = (x: View, begin: ReadonlyArray<number>, sz: ReadonlyArray<number>): Buffer => {
    const n = prod(sz)
    if (n === 0) return x.data instanceof Int32Array ? new Int32Array(0) : new Float32Array(0)
    const host = hostSlice(x, begin, sz)
    if (host !== undefined) return host
    const st = rowStrides(x.shape)
    const off = begin.reduce((acc, b, i) => acc + b * st[i], 0)
    return layout(
      x.data,
      (d) => strided('sl', sz, [{ data: d, strides: st, offset: off }], ([i]) => i),
      () => loops.slice(x, begin, sz)
    )
  }

  const gather = (x: View, indices: Int32Array, axis: number): Buffer => {
    const outer = prod(x.shape.slice(0, axis))
    const len = x.shape[axis]
    const inner = prod(x.shape.slice(axis + 1))
    const J = indices.length
    const n = outer * J * inner
    if (n === 0) return x.data instanceof Int32Array ? new Int32Array(0) : new Float32Array(0)
    const viaKernel = (d: Buffer): Float32Array | null => {
      // Indices travel as f32: exact below 2^24 (they index an axis of len < 2^24 when x is that small).
      const mode: Addressing | null =
        n < LIM && x.data.length < LIM ? 'flat' : len < F32_EXACT && inner >= MIN_INNER ? 'nd' : null
      if (mode === null) return null
      return run(gatherKey(mode, outer, len, inner, J), () => gatherSpec(mode, outer, len, inner, J), [nonEmpty(d), indices], n, d.length + J)
    }
    return layout(x.data, viaKernel, () => loops.gather(x, indices, axis))
  }

  const scatterAdd = (u: View, indices: Int32Array, axis: number, out: Shape): FloatBuffer => {
    const outer = prod(out.slice(0, axis))
    const len = out[axis]
    const inner = prod(out.slice(axis + 1))
    const J = indices.length
    const n = outer * len * inner
    if (n === 0) return new Float32Array(0)
    if (J === 0 || u.data.length === 0) return new Float32Array(n)
    const mode: Addressing | null =
      n < LIM && u.data.length < LIM ? 'flat' : J < F32_EXACT && inner >= MIN_INNER ? 'nd' : null
    if (mode === null) return loops.scatterAdd(u, indices, axis, out)
    const { start, order } = scatterPlan(indices, len)
    return run(scatterAddKey(mode, outer, len, inner, J), () => scatterAddSpec(mode, outer, len, inner, J), [u.data, start, order], n, u.data.length + len + J)
  }

  const concat = (xs: ReadonlyArray<View>, axis: number): Buffer => {
    const isInt = xs[0].data instanceof Int32Array
    const outer = prod(xs[0].shape.slice(0, axis))
    const parts = xs.map((x) => ({ x, block: prod(x.shape.slice(axis)) })).filter((p) => p.block > 0)
    const total = parts.reduce((s, p) => s + p.block, 0)
    const n = outer * total
    if (n === 0) return isInt ? new Int32Array(0) : new Float32Array(0)
    if (isInt && !xs.every((x) => (x.data instanceof Int32Array ? intExact(x.data) : true))) return loops.concat(xs, axis)
    const GROUP = 16
    if (parts.length > GROUP) {
      // Concatenate in groups so each kernel has at most GROUP arguments.
      const head = concat(
        parts.slice(0, GROUP).map((p) => p.x),
        axis
      )
      const headShape = xs[0].shape.map((d, i) => (i === axis ? parts.slice(0, GROUP).reduce((s, p) => s + p.x.shape[axis], 0) : d))
      return concat([{ data: head, shape: headShape }, ...parts.slice(GROUP).map((p) => p.x)], axis)
    }
    const mode: Addressing | null = outer === 1 || n < LIM ? 'flat' : total >= MIN_INNER ? 'nd' : null
    const fallback = (): Buffer => {
      const l = loops.concat(xs, axis)
      return l instanceof Float64Array ? Float32Array.from(l) : l
    }
    if (mode === null) return fallback()
    const blocks = parts.map((p) => p.block)
    const r = run(concatKey(mode, outer, blocks), () => concatSpec(mode, outer, blocks), parts.map((p) => p.x.data), n, n)
    return isInt ? Int32Array.from(r) : r
  }

  const pad = (x: View, paddings: ReadonlyArray<readonly [number, number]>, value: number): Buffer => {
    const outShape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1])
    const n = prod(outShape)
    const isInt = x.data instanceof Int32Array
    if (n === 0) return isInt ? new Int32Array(0) : new Float32Array(0)
    if (x.data.length === 0) {
      const r = run(fillKey(n), () => fillSpec(n), [value], n, 0)
      return isInt ? Int32Array.from(r) : r
    }
    const host = hostPad(x, paddings, value)
    if (host !== undefined) return host
    // Keep the dims that are padded or longer than 1.
    const inSt = rowStrides(x.shape)
    const live: PadDim[] = x.shape.map((d, i) => ({ d, lo: paddings[i][0], hi: paddings[i][1], st: inSt[i], o: outShape[i] })).filter((e) => e.o !== 1)
    const dims = live.length === 0 ? [1] : live.map((e) => e.o)
    const maxAll = Math.max(n, x.data.length)
    const mode: Addressing | null =
      dims.length === 1 || maxAll < LIM ? 'flat' : dims.length <= 3 && dims[dims.length - 1] >= MIN_INNER ? 'nd' : null
    const viaKernel = (d: Buffer): Float32Array | null => {
      if (mode === null) return null
      return run(padKey(mode, live), () => padSpec(mode, live, dims), [d, value], n, d.length)
    }
    return layout(x.data, viaKernel, () => loops.pad(x, paddings, value))
  }

  return { strided, transpose, broadcastTo, slice, gather, scatterAdd, concat, pad }
}
