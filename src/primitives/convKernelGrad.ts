/**
 * convKernelGrad: the kernel cotangent of `conv(x, w, g)` — the correlation of the input `x` with the
 * output cotangent `ct`, summed over the batch — shaped like the kernel `[K..., Cin / groups, Cout]`.
 * It is bilinear in `(x, ct)`, and its VJPs are convolutions again: with respect to `ct`, `conv(x, v)`;
 * with respect to `x`, the transposed convolution of `ct` with `v` (`⟨v, kg(x, ct)⟩ = ⟨conv(x, v), ct⟩`).
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { type Shape, shapeEq } from '../core/Shape.js'
import { show } from '../core/errors.js'
import { type ConvGeometry, convOutShape } from '../backend/window.js'
import { checkConv, convGeneral, convInputVjp } from './conv.js'

/** Geometry plus the kernel shape the cotangent takes. */
export interface ConvKernelGradParams extends ConvGeometry {
  readonly kernelShape: Shape
}

export const convKernelGradDef: PrimitiveDef<ConvKernelGradParams> = {
  name: 'convKernelGrad',
  shapeRule: ([x, ct], p) =>
    E.chain(() => {
      const want = convOutShape(x.shape, p.kernelShape, p)
      return shapeEq(want, ct.shape) ? ok(p.kernelShape) : shapeError('convKernelGrad', `cotangent shape ${show(ct.shape)} ≠ the convolution's output shape ${show(want)}`, want, ct.shape)
    })(checkConv('convKernelGrad', x.shape, p.kernelShape, p)),
  impl: (be, [x, ct], p) => be.convKernelGrad({ data: be.toFloat(x.data), shape: x.shape }, { data: be.toFloat(ct.data), shape: ct.shape }, p, p.kernelShape),
  vjp: (v, [x, ct], _out, p) => [convInputVjp(ct, v, p, x.shape), convGeneral(x, v, p)]
}

/** The kernel cotangent of `conv(x, w, g)` for output cotangent `ct`, where `w` has shape `kernelShape`. */
export const convKernelGrad = (x: Tensor, ct: Tensor, g: ConvGeometry, kernelShape: Shape): Tensor =>
  bind(convKernelGradDef, [lift('convKernelGrad', x, 0), lift('convKernelGrad', ct, 1)], {
    strides: [...g.strides],
    padding: g.padding.map((q) => [q[0], q[1]] as const),
    lhsDilation: [...g.lhsDilation],
    rhsDilation: [...g.rhsDilation],
    groups: g.groups,
    kernelShape: [...kernelShape]
  })
