/**
 * Convolution and pooling ops with Keras's conventions: channels-last inputs `[batch, ...spatial,
 * channels]`, kernels `[...window, in / groups, out]`, `padding` 'valid' | 'same' | 'causal' (1-d) or
 * explicit `[low, high]` pairs, strides and dilation as one number or one per spatial axis. They resolve
 * to the `conv` / `pool` primitives (src/primitives), whose VJPs are convolutions and routings again.
 *
 * @since 0.2.0
 */
import type { Tensor } from '../core/Tensor.js'
import { lift, convGeneral, convInputVjp, pool } from '../primitives/index.js'
import type { ConvGeometry } from '../primitives/index.js'
import { fail, show } from '../core/errors.js'

/** Keras padding modes, or explicit `[low, high]` pairs per spatial axis. */
export type ConvPadding = 'valid' | 'same' | 'causal' | ReadonlyArray<readonly [number, number]>

/** Options of {@link conv}. */
export interface ConvOptions {
  /** window strides (default 1) */
  readonly strides?: number | ReadonlyArray<number>
  /** default 'valid' */
  readonly padding?: ConvPadding
  /** kernel dilation rate (default 1) */
  readonly dilation?: number | ReadonlyArray<number>
  /** feature groups (default 1; the input channels for a depthwise convolution) */
  readonly groups?: number
}

/** Options of {@link convTranspose}. */
export interface ConvTransposeOptions {
  readonly strides?: number | ReadonlyArray<number>
  /** 'valid' or 'same' (default 'valid') */
  readonly padding?: 'valid' | 'same'
  readonly dilation?: number | ReadonlyArray<number>
  /** extra length at the high end of each spatial axis (less than the stride), as Keras's `output_padding` */
  readonly outputPadding?: number | ReadonlyArray<number>
}

/** Options of {@link maxPool} and {@link avgPool}. */
export interface PoolOptions {
  /** default: the window */
  readonly strides?: number | ReadonlyArray<number>
  /** 'valid' or 'same' (default 'valid') */
  readonly padding?: 'valid' | 'same'
}

/** @internal One positive integer per spatial axis from a number or an array. */
export const perAxis = (op: string, name: string, v: number | ReadonlyArray<number> | undefined, r: number, dflt: number): number[] => {
  const xs = v === undefined ? Array.from({ length: r }, () => dflt) : typeof v === 'number' ? Array.from({ length: r }, () => v) : [...v]
  if (xs.length !== r || !xs.every((e) => Number.isSafeInteger(e) && e >= 1))
    return fail('InvalidArgument', `${op}: ${name} must be a positive integer or ${r} of them, received ${show(v)}`, { op, path: name, expected: `positive integer or ${r} of them`, received: v })
  return xs
}

/** @internal TensorFlow's 'same' padding of one axis: output ceil(s / stride), the extra split low-first. */
export const samePadding = (s: number, k: number, stride: number, dilation = 1): [number, number] => {
  const kd = (k - 1) * dilation + 1
  const out = Math.ceil(s / stride)
  const total = Math.max((out - 1) * stride + kd - s, 0)
  const lo = Math.floor(total / 2)
  return [lo, total - lo]
}

const spatialRank = (op: string, x: Tensor): number => {
  const r = x.shape.length - 2
  if (r < 1 || r > 3) fail('ShapeMismatch', `${op}: expected an input of rank 3, 4 or 5 ([batch, ...spatial, channels]), received shape ${show(x.shape)}`, { op, expected: 'rank 3..5', actual: x.shape })
  return r
}

/** @internal Resolve padding modes to explicit pairs over the input's spatial sizes. */
export const resolvePadding = (op: string, padding: ConvPadding, S: ReadonlyArray<number>, K: ReadonlyArray<number>, strides: ReadonlyArray<number>, dilation: ReadonlyArray<number>): Array<[number, number]> => {
  const r = S.length
  if (padding === 'valid') return S.map(() => [0, 0])
  if (padding === 'same') return S.map((s, d) => samePadding(s, K[d], strides[d], dilation[d]))
  if (padding === 'causal') {
    if (r !== 1) return fail('InvalidArgument', `${op}: 'causal' padding is for 1-d convolutions, received ${r} spatial axes`, { op, path: 'padding', expected: "'valid' | 'same'", received: padding })
    return [[(K[0] - 1) * dilation[0], 0]]
  }
  if (Array.isArray(padding) && padding.length === r && padding.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isSafeInteger(v) && v >= 0)))
    return padding.map((p) => [p[0], p[1]])
  return fail('InvalidArgument', `${op}: padding must be 'valid', 'same', 'causal' or ${r} [low, high] pairs of non-negative integers, received ${show(padding)}`, {
    op,
    path: 'padding',
    expected: "'valid' | 'same' | 'causal' | [low, high][]",
    received: padding
  })
}

/**
 * Convolution, channels-last: `x` `[batch, ...spatial, in]` (1, 2 or 3 spatial axes), `kernel`
 * `[...window, in / groups, out]`. Differentiable to any order.
 * @example conv(images, kernel, { padding: 'same' }) // [batch, h, w, out]
 */
export const conv = (x: Tensor, kernel: Tensor, opts: ConvOptions = {}): Tensor => {
  const xt = lift('conv', x, 0)
  const wt = lift('conv', kernel, 1)
  const r = spatialRank('conv', xt)
  const strides = perAxis('conv', 'strides', opts.strides, r, 1)
  const dilation = perAxis('conv', 'dilation', opts.dilation, r, 1)
  const K = wt.shape.slice(0, r)
  const padding = resolvePadding('conv', opts.padding ?? 'valid', xt.shape.slice(1, r + 1), K, strides, dilation)
  return convGeneral(xt, wt, { strides, padding, lhsDilation: strides.map(() => 1), rhsDilation: dilation, groups: opts.groups ?? 1 })
}

/** Keras's output length of a transposed convolution along one axis. */
export const convTransposeLength = (s: number, k: number, stride: number, padding: 'valid' | 'same', dilation = 1, outputPadding?: number): number => {
  const kd = (k - 1) * dilation + 1
  if (outputPadding === undefined) return padding === 'valid' ? s * stride + Math.max(kd - stride, 0) : s * stride
  const pad = padding === 'valid' ? 0 : Math.floor(kd / 2)
  return (s - 1) * stride + kd - 2 * pad + outputPadding
}

/**
 * Transposed convolution (Keras's `Conv2DTranspose`): the input-gradient of a convolution. `x`
 * `[batch, ...spatial, in]`, `kernel` `[...window, out, in]` (Keras's layout for it).
 * @example convTranspose(x, kernel, { strides: 2, padding: 'same' }) // doubles each spatial axis
 */
export const convTranspose = (x: Tensor, kernel: Tensor, opts: ConvTransposeOptions = {}): Tensor => {
  const xt = lift('convTranspose', x, 0)
  const wt = lift('convTranspose', kernel, 1)
  const r = spatialRank('convTranspose', xt)
  if (wt.shape.length !== r + 2 || wt.shape[r + 1] !== xt.shape[r + 1])
    fail('ShapeMismatch', `convTranspose: expected a kernel [...window, out, ${xt.shape[r + 1]}] of rank ${r + 2}, received shape ${show(wt.shape)}`, { op: 'convTranspose', expected: [r + 2, xt.shape[r + 1]], actual: wt.shape })
  const strides = perAxis('convTranspose', 'strides', opts.strides, r, 1)
  const dilation = perAxis('convTranspose', 'dilation', opts.dilation, r, 1)
  const padMode = opts.padding ?? 'valid'
  if (padMode !== 'valid' && padMode !== 'same') fail('InvalidArgument', `convTranspose: padding must be 'valid' or 'same', received ${show(padMode)}`, { op: 'convTranspose', path: 'padding', expected: "'valid' | 'same'", received: padMode })
  const outPad = opts.outputPadding === undefined ? undefined : typeof opts.outputPadding === 'number' ? strides.map(() => opts.outputPadding as number) : [...opts.outputPadding]
  if (outPad !== undefined && (outPad.length !== r || outPad.some((p, d) => !Number.isSafeInteger(p) || p < 0 || p >= Math.max(strides[d], dilation[d]))))
    fail('InvalidArgument', `convTranspose: outputPadding must be ${r} non-negative integers below the strides, received ${show(opts.outputPadding)}`, { op: 'convTranspose', path: 'outputPadding', expected: 'below the strides', received: opts.outputPadding })
  const K = wt.shape.slice(0, r)
  const O = xt.shape.slice(1, r + 1).map((s, d) => convTransposeLength(s, K[d], strides[d], padMode, dilation[d], outPad?.[d]))
  const padding = resolvePadding('convTranspose', padMode, O, K, strides, dilation)
  const g: ConvGeometry = { strides, padding, lhsDilation: strides.map(() => 1), rhsDilation: dilation, groups: 1 }
  return convInputVjp(xt, wt, g, [xt.shape[0], ...O, wt.shape[r]])
}

const poolOp = (op: 'max' | 'avg', name: string) => (x: Tensor, window: number | ReadonlyArray<number>, opts: PoolOptions = {}): Tensor => {
  const xt = lift(name, x)
  const r = spatialRank(name, xt)
  const win = perAxis(name, 'window', window, r, 1)
  const strides = perAxis(name, 'strides', opts.strides ?? win, r, 1)
  const mode = opts.padding ?? 'valid'
  if (mode !== 'valid' && mode !== 'same') fail('InvalidArgument', `${name}: padding must be 'valid' or 'same', received ${show(mode)}`, { op: name, path: 'padding', expected: "'valid' | 'same'", received: mode })
  const padding = resolvePadding(name, mode, xt.shape.slice(1, r + 1), win, strides, win.map(() => 1))
  return pool(xt, { op, window: win, strides, padding })
}

/** Max pooling over windows, channels-last. @example maxPool(images, 2) // halves h and w */
export const maxPool = poolOp('max', 'maxPool')
/** Average pooling over windows (padding is not counted), channels-last. @example avgPool(images, [2, 2], { padding: 'same' }) */
export const avgPool = poolOp('avg', 'avgPool')
