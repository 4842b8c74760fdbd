/**
 * The `Ops` namespace, the functional surface of the tensor ops: `Ops.add(a, b)` is `Right(add(a, b))`
 * or `Left(error)` with the same tagged error the top-level (throwing) `add` raises; `Ops.tensor(values)`
 * is the `Either` form of `tensor(values)`. Data-first like the ops themselves. A new op exported by
 * `ops/index.ts` appears here by itself.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as ops from '../ops/index.js'
import { attemptK, type TfError } from '../core/errors.js'
import { fromValues } from '../core/Tensor.js'

type Fns = { [K in keyof typeof ops as (typeof ops)[K] extends (...a: never[]) => unknown ? K : never]: (typeof ops)[K] }
type Safe<T> = { readonly [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: A) => E.Either<TfError, R> : never }


const table: Record<string, unknown> = {}
for (const [k, v] of Object.entries(ops)) if (typeof v === 'function') table[k] = attemptK(v as (...a: unknown[]) => unknown)

/** Every op in `Either` form, plus `tensor` (the Either form of `tensor`). @example Ops.matmul(a, b) // Either<TfError, Tensor> */
export const Ops: Safe<Fns> & { readonly tensor: typeof fromValues } = Object.freeze({ ...(table as Safe<Fns>), tensor: fromValues })
