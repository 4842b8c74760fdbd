/**
 * @internal Slices and pads that are plain block copies, done on the host.
 *
 * A gpu.js kernel copies every argument into wasm memory before it runs, so a slice kernel moves its
 * whole input to produce a part of it: the scan's unpacking of its packed output, or an LSTM's four
 * gate slices, moved many times the data they keep (in the LSTM benchmark, `flattenTo` of slice
 * inputs was the largest single cost of a step). When the kept elements lie in contiguous runs, a host
 * copy moves only them. A copy changes no value, so the result is bit-identical to the kernel's, for
 * float32 and int32 alike, at any size.
 *
 * @since 0.3.0
 */
import type { View } from '../Backend.js'
import type { Buffer } from '../../core/Tensor.js'
import { prod, rowStrides } from './layout.js'

/** Runs shorter than this (in elements) stay with the kernel: a host loop per run would cost more. */
export const HOST_RUN_MIN = 16

const alloc = (like: Buffer, n: number): Buffer => (like instanceof Int32Array ? new Int32Array(n) : new Float32Array(n))

/**
 * The box `sz` at `begin` of an array of `shape` as runs of contiguous elements: `visit(offset, i)` is
 * called with the i-th run's offset in the array and the run length; returns the run length, or 0 when runs are shorter than
 * {@link HOST_RUN_MIN} (and more than one).
 */
const boxRuns = (shape: ReadonlyArray<number>, begin: ReadonlyArray<number>, sz: ReadonlyArray<number>, visit: (offset: number, i: number, run: number) => void): number => {
  const st = rowStrides(shape)
  // the last axis the box does not span fully: runs cover it and every axis after it
  let d = shape.length - 1
  while (d >= 0 && sz[d] === shape[d] && begin[d] === 0) d--
  const run = d < 0 ? prod(sz) : sz[d] * st[d]
  const outer = d < 0 ? 1 : prod(sz.slice(0, d))
  if (run < HOST_RUN_MIN && outer > 1) return 0
  const base = begin.reduce((acc, b, i) => acc + b * st[i], 0)
  // odometer over the outer axes 0..d-1
  const idx = new Array<number>(Math.max(d, 0)).fill(0)
  let off = base
  for (let i = 0; i < outer; i++) {
    visit(off, i, run)
    for (let k = d - 1; k >= 0; k--) {
      idx[k]++
      off += st[k]
      if (idx[k] < sz[k]) break
      off -= st[k] * idx[k]
      idx[k] = 0
    }
  }
  return run
}

const copyRun = (dst: Buffer, at: number, src: Buffer, from: number, run: number): void => {
  if (run >= 64) dst.set(src.subarray(from, from + run), at)
  else for (let j = 0; j < run; j++) dst[at + j] = src[from + j]
}

/** `x[begin : begin + sz]` by host copies, or undefined when its runs are too short (use the kernel). */
export const hostSlice = (x: View, begin: ReadonlyArray<number>, sz: ReadonlyArray<number>): Buffer | undefined => {
  const out = alloc(x.data as Buffer, prod(sz))
  const src = x.data as Buffer
  const run = boxRuns(x.shape, begin, sz, (off, i, r) => copyRun(out, i * r, src, off, r))
  return run === 0 ? undefined : out
}

/** `x` padded with `value` (non-negative paddings) by host copies, or undefined when its runs are too short. */
export const hostPad = (x: View, paddings: ReadonlyArray<readonly [number, number]>, value: number): Buffer | undefined => {
  if (paddings.some(([lo, hi]) => lo < 0 || hi < 0)) return undefined
  const outShape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1])
  const src = x.data as Buffer
  const out = alloc(src, prod(outShape))
  if (value !== 0) out.fill(value)
  const run = boxRuns(outShape, paddings.map(([lo]) => lo), x.shape, (off, i, r) => copyRun(out, off, src, i * r, r))
  return run === 0 ? undefined : out
}
