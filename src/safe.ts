/**
 * The `Either` surface of the ops: `safe.add(a, b)` is `Right(add(a, b))` or `Left(error)` with the same
 * tagged error the throwing form raises. Data-first like the ops themselves.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as ops from './ops/index.js'
import { attempt, type TfError } from './core/errors.js'
import { fromValues } from './core/Tensor.js'

type Fns = { [K in keyof typeof ops as (typeof ops)[K] extends (...a: never[]) => unknown ? K : never]: (typeof ops)[K] }
type Safe<T> = { readonly [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: A) => E.Either<TfError, R> : never }

const wrap = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): E.Either<TfError, R> => attempt(() => f(...a))

const table: Record<string, unknown> = {}
for (const [k, v] of Object.entries(ops)) if (typeof v === 'function') table[k] = wrap(v as (...a: unknown[]) => unknown)

/** Every op in `Either` form, plus `tensor` (= `fromValues`). @example safe.matmul(a, b) // Either<TfError, Tensor> */
export const safe: Safe<Fns> & { readonly tensor: typeof fromValues } = Object.freeze({ ...(table as Safe<Fns>), tensor: fromValues })
