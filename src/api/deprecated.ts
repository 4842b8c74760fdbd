/**
 * Old public names kept for one release (0.2) because the docs used them; each says what replaces it.
 * Delete this file in the next release (and their lines in test/public-api.json).
 *
 * @since 0.2.0
 */
import { Ops } from './Ops.js'
import * as C from '../layers/core.js'
import * as M from '../layers/merge.js'
import { compileOrThrow as compileOrThrowImpl } from '../train/index.js'
import { fromValues as fromValuesImpl } from '../core/Tensor.js'

/** @deprecated since 0.2: use `Ops` (the `Either` form of every op: `Ops.matmul(a, b)`). */
export const safe = Ops
/** @deprecated since 0.2: use `Ops.tensor(values)` (Either) or `tensor(values)` (throws). */
export const fromValues = fromValuesImpl
/** @deprecated since 0.2: use `model.compile(opts)` (throws) or `Trainer.compile(model, opts)` (Either). */
export const compileOrThrow = compileOrThrowImpl
/** @deprecated since 0.2: layers live under `layers.*` — use `layers.dense`. */
export const dense = C.dense
/** @deprecated since 0.2: layers live under `layers.*` — use `layers.dropout`. */
export const dropout = C.dropout
/** @deprecated since 0.2: layers live under `layers.*` — use `layers.flatten`. */
export const flatten = C.flatten
/** @deprecated since 0.2: layers live under `layers.*` — use `layers.activation`. */
export const activation = C.activation
/** @deprecated since 0.2: layers live under `layers.*` — use `layers.identity`. */
export const identity = C.identity
/** @deprecated since 0.2: layers live under `layers.*` — use `layers.concatenate`. */
export const concatenate = M.concatenate
/** @deprecated since 0.2: layers live under `layers.*` — use `layers.multiply`. */
export const multiply = M.multiply
/** @deprecated since 0.2: layers live under `layers.*` — use `layers.average`. */
export const average = M.average
