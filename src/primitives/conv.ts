/**
 * conv: N-d (1-, 2-, 3-d) convolution, channels-last, in its general form — window strides, explicit
 * padding (negative crops), input ("lhs") dilation, kernel ("rhs") dilation and feature groups — so that
 * its VJPs are convolutions too: the input cotangent is a convolution of the output cotangent (dilated
 * by the strides) with the spatially reversed, group-transposed kernel, and the kernel cotangent is the
 * correlation of input and cotangent (`convKernelGrad`). Both are differentiable, so `grad(grad(f))`
 * through a convolution works. `ops/conv` resolves Keras's 'valid' / 'same' / 'causal' to this form.
 *
 * `x: [N, S..., Cin]`, `w: [K..., Cin / groups, Cout]` (Keras's kernel layout), result `[N, O..., Cout]`.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import { type Tensor, fromBuffer } from '../core/Tensor.js'
import type { Shape } from '../core/Shape.js'
import { show, type TfError } from '../core/errors.js'
import { type ConvGeometry, convOutShape } from '../backend/window.js'
import { reshape } from './reshape.js'
import { transpose } from './transpose.js'
import { gather } from './gather.js'
import { convKernelGrad } from './convKernelGrad.js'

export type { ConvGeometry } from '../backend/window.js'

const posInts = (xs: ReadonlyArray<number>, r: number): boolean => xs.length === r && xs.every((v) => Number.isSafeInteger(v) && v >= 1)

/** @internal The checks shared by `conv` and `convKernelGrad`: ranks, geometry, channel counts. */
export const checkConv = (op: string, x: Shape, w: Shape, g: ConvGeometry): E.Either<TfError, number> => {
  const r = x.length - 2
  if (r < 1 || r > 3) return shapeError(op, `expected an input of rank 3, 4 or 5 ([batch, ...spatial, channels]), received shape ${show(x)}`, 'rank 3..5', x)
  if (w.length !== r + 2) return shapeError(op, `expected a kernel of rank ${r + 2} ([...window, in / groups, out]) for an input of rank ${r + 2}, received shape ${show(w)}`, r + 2, w)
  if (!posInts(g.strides, r) || !posInts(g.lhsDilation, r) || !posInts(g.rhsDilation, r))
    return shapeError(op, `strides and dilations must be ${r} positive integers, received ${show({ strides: g.strides, lhsDilation: g.lhsDilation, rhsDilation: g.rhsDilation })}`, r, g)
  if (g.padding.length !== r || !g.padding.every((p) => p.length === 2 && Number.isSafeInteger(p[0]) && Number.isSafeInteger(p[1])))
    return shapeError(op, `padding must be ${r} [low, high] integer pairs, received ${show(g.padding)}`, r, g.padding)
  if (!Number.isSafeInteger(g.groups) || g.groups < 1) return shapeError(op, `groups must be a positive integer, received ${show(g.groups)}`, 'positive integer', g.groups)
  if (x[r + 1] !== w[r] * g.groups)
    return shapeError(op, `input channels ${x[r + 1]} ≠ kernel input channels ${w[r]} × groups ${g.groups} (input ${show(x)}, kernel ${show(w)})`, w[r] * g.groups, x[r + 1])
  if (w[r + 1] % g.groups !== 0) return shapeError(op, `output channels ${w[r + 1]} are not divisible by groups ${g.groups}`, `multiple of ${g.groups}`, w[r + 1])
  return E.right(r)
}

export const convDef: PrimitiveDef<ConvGeometry> = {
  name: 'conv',
  shapeRule: ([x, w], g) => E.chain(() => ok(convOutShape(x.shape, w.shape, g)))(checkConv('conv', x.shape, w.shape, g)),
  impl: (be, [x, w], g, out) => be.conv({ data: be.toFloat(x.data), shape: x.shape }, { data: be.toFloat(w.data), shape: w.shape }, g, out.shape),
  vjp: (ct, [x, w], _out, g) => [convInputVjp(ct, w, g, x.shape), convKernelGrad(x, ct, g, w.shape)]
}

/** Reverse `x` along each of `axes` (a gather with reversed indices: differentiable). */
const reverseAxes = (x: Tensor, axes: ReadonlyArray<number>): Tensor =>
  axes.reduce((t, a) => (t.shape[a] <= 1 ? t : gather(t, fromBuffer(Int32Array.from({ length: t.shape[a] }, (_, i) => t.shape[a] - 1 - i), [t.shape[a]], 'int32'), a)), x)

/**
 * The input cotangent of `conv(x, w, g)` for an output cotangent `ct` (the transposed convolution):
 * a convolution of `ct` with window strides = the forward input dilation, input dilation = the forward
 * strides, and the kernel reversed in space with its in/out channels swapped within each group.
 * `xShape` is the forward input's shape.
 */
export const convInputVjp = (ct: Tensor, w: Tensor, g: ConvGeometry, xShape: Shape): Tensor => {
  const r = w.shape.length - 2
  const K = w.shape.slice(0, r)
  const Cig = w.shape[r]
  const Cout = w.shape[r + 1]
  const G = g.groups
  const Cog = Cout / G
  const sp = Array.from({ length: r }, (_, d) => d)
  // w'[k, j, (gi, i)] = w[reverse k, i, (gi, j)]
  const regrouped = G === 1
    ? transpose(w, [...sp, r + 1, r])
    : reshape(transpose(reshape(w, [...K, Cig, G, Cog]), [...sp, r + 2, r + 1, r]), [...K, Cog, G * Cig])
  const wt = reverseAxes(regrouped, sp)
  const padding = sp.map((d): [number, number] => {
    const sd = (xShape[d + 1] - 1) * g.lhsDilation[d] + 1
    const kd = (K[d] - 1) * g.rhsDilation[d] + 1
    const od = (ct.shape[d + 1] - 1) * g.strides[d] + 1
    const before = kd - 1 - g.padding[d][0]
    return [before, sd + kd - 1 - od - before]
  })
  return convGeneral(ct, wt, { strides: g.lhsDilation, padding, lhsDilation: g.strides, rhsDilation: g.rhsDilation, groups: G })
}

/** Convolution in its general, explicit form (see the module doc). @example convGeneral(x, w, { strides: [1, 1], padding: [[1, 1], [1, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }) */
export const convGeneral = (x: Tensor, w: Tensor, g: ConvGeometry): Tensor =>
  bind(convDef, [lift('conv', x, 0), lift('conv', w, 1)], {
    strides: [...g.strides],
    padding: g.padding.map((p) => [p[0], p[1]] as const),
    lhsDilation: [...g.lhsDilation],
    rhsDilation: [...g.rhsDilation],
    groups: g.groups
  })
