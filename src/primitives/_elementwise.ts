/**
 * Shared shape rules and constructors for elementwise primitives (unary, and binary with numpy
 * broadcasting). Each primitive file supplies its kernel op and its VJP.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import { broadcastShapes } from '../core/Shape.js'
import type { BinaryOp, UnaryOp } from '../backend/Backend.js'
import { type PrimitiveDef, type PrimitiveName, ok } from './bind.js'

/** A unary float elementwise primitive. */
export const unaryDef = (
  name: PrimitiveName,
  op: UnaryOp,
  vjp: (ct: Tensor, x: Tensor, out: Tensor) => Tensor | undefined
): PrimitiveDef<Record<string, never>> => ({
  name,
  shapeRule: ([x]) => ok(x.shape),
  impl: (be, [x]) => be.unary(op, { data: be.toFloat(x.data), shape: x.shape }),
  vjp: (ct, [x], out) => [vjp(ct, x, out)]
})

/** A binary float elementwise primitive with broadcasting. */
export const binaryDef = <P = Record<string, never>>(
  name: PrimitiveName,
  op: (p: P) => BinaryOp,
  vjp: (ct: Tensor, a: Tensor, b: Tensor, out: Tensor, p: P) => ReadonlyArray<Tensor | undefined>
): PrimitiveDef<P> => ({
  name,
  shapeRule: ([a, b]) => E.map((shape: ReadonlyArray<number>) => ({ shape, dtype: 'float32' as const }))(broadcastShapes(name, a.shape, b.shape)),
  // int32 inputs go to the backend as they are: an index past 2^24 compared in float32 would meet its neighbour
  impl: (be, [a, b], p, out) => be.binary(op(p), a, b, out.shape),
  vjp: (ct, [a, b], out, p) => vjp(ct, a, b, out, p)
})
