/**
 * The primitive registry: every primitive, by name. Its type is a mapped type over `PrimitiveName`, so
 * a primitive without a definition (and so without a VJP) does not compile.
 *
 * @since 0.1.0
 */
import type { PrimitiveDef, PrimitiveName } from './bind.js'
import { addDef, add } from './add.js'
import { mulDef, mul } from './mul.js'
import { divDef, div } from './div.js'
import { negDef, neg } from './neg.js'
import { expDef, exp } from './exp.js'
import { logDef, log } from './log.js'
import { tanhDef, tanh } from './tanh.js'
import { sqrtDef, sqrt } from './sqrt.js'
import { powDef, pow } from './pow.js'
import { absDef, abs } from './abs.js'
import { signDef, sign } from './sign.js'
import { sinDef, sin } from './sin.js'
import { cosDef, cos } from './cos.js'
import { maximumDef, maximum } from './maximum.js'
import { minimumDef, minimum } from './minimum.js'
import { compareDef, compare, type Comparison } from './compare.js'
import { whereDef, where } from './where.js'
import { matmulDef, matmul, type MatmulParams } from './matmul.js'
import { transposeDef, transpose } from './transpose.js'
import { reshapeDef, reshape } from './reshape.js'
import { broadcastToDef, broadcastTo } from './broadcastTo.js'
import { sumDef, sum } from './sum.js'
import { maxDef, max } from './max.js'
import { sliceDef, slice } from './slice.js'
import { gatherDef, gather } from './gather.js'
import { scatterAddDef, scatterAdd } from './scatterAdd.js'
import { concatDef, concat } from './concat.js'
import { padDef, pad } from './pad.js'
import { castDef, cast } from './cast.js'
import { argmaxDef, argmax } from './argmax.js'
import { scanDef } from '../ad/scan.js'
import { convDef, convGeneral, convInputVjp, type ConvGeometry } from './conv.js'
import { convKernelGradDef, convKernelGrad } from './convKernelGrad.js'
import { poolDef, pool, type PoolParams, type PoolOp } from './pool.js'
import { poolRouteDef, poolRoute } from './poolRoute.js'
import { softmaxXentDef, softmaxXentGradDef, softmaxXent, softmaxXentGrad } from './softmaxXent.js'

/** Every primitive definition, typed so that none can be missing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const primitives: { readonly [K in PrimitiveName]: PrimitiveDef<any> } = {
  add: addDef, mul: mulDef, div: divDef, neg: negDef, exp: expDef, log: logDef, tanh: tanhDef, sqrt: sqrtDef,
  pow: powDef, abs: absDef, sign: signDef, sin: sinDef, cos: cosDef, maximum: maximumDef, minimum: minimumDef, compare: compareDef,
  where: whereDef, matmul: matmulDef, transpose: transposeDef, reshape: reshapeDef, broadcastTo: broadcastToDef,
  sum: sumDef, max: maxDef, slice: sliceDef, gather: gatherDef, scatterAdd: scatterAddDef, concat: concatDef,
  pad: padDef, cast: castDef, argmax: argmaxDef,
  scan: scanDef,
  conv: convDef, convKernelGrad: convKernelGradDef, pool: poolDef, poolRoute: poolRouteDef,
  softmaxXent: softmaxXentDef, softmaxXentGrad: softmaxXentGradDef
}

export {
  add, mul, div, neg, exp, log, tanh, sqrt, pow, abs, sign, sin, cos, maximum, minimum, compare, where, matmul, transpose,
  reshape, broadcastTo, sum, max, slice, gather, scatterAdd, concat, pad, cast, argmax,
  type Comparison, type MatmulParams,
  convGeneral, convInputVjp, convKernelGrad, pool, poolRoute, type ConvGeometry, type PoolParams, type PoolOp,
  softmaxXent, softmaxXentGrad
}
export { unbroadcast } from './unbroadcast.js'
export { bind, lift, type PrimitiveDef, type PrimitiveName, type TensorLike } from './bind.js'
