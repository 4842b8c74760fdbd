/**
 * Choosing the backend. The current backend is a dynamic setting: `setBackend` changes it for the
 * process, `withBackend` for the extent of one synchronous call (the laws run whole computations on the
 * float64 `reference` backend this way). New tensors get the float storage of the current backend.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { AnyBackend, Backend } from './Backend.js'
import { reference } from './reference.js'
import { gpujsBackend, installWebGpu, type GpujsMode, GPUJS_MODES } from './gpujs/index.js'
import { PLATFORM } from '#platform'
import { setFloatStorage } from '../core/Tensor.js'
import { tfError, type TfError, orThrow, show } from '../core/errors.js'

export type { AnyBackend, Backend, Later, Timing, UnaryOp, BinaryOp, ReduceOp, View } from './Backend.js'
export { reference } from './reference.js'
export { type GpujsMode, GPUJS_MODES } from './gpujs/index.js'

/** Backend names a user may choose. `auto` picks the best working gpu.js mode. */
export type BackendName = 'auto' | 'reference' | GpujsMode

let current: AnyBackend | undefined
/** Whether the user chose the backend (`setBackend`); `ready` only upgrades a backend nobody chose. */
let chosen = false
/** The outcome of the one asynchronous probe `ready` makes (memoised: a page asks its GPU once). */
let probed: Promise<AnyBackend> | undefined

/** The backend ops run on now (the best gpu.js mode unless chosen otherwise). */
export const getBackend = (): AnyBackend => {
  if (current === undefined) {
    current = gpujsBackend('auto')
    setFloatStorage(current.precision)
  }
  return current
}

/** The backend eager ops run on: the current one, or its synchronous fallback if it is asynchronous (WebGPU). */
export const getSyncBackend = (): Backend => syncOf(getBackend())

/** A backend's synchronous side: itself, or its fallback if it is asynchronous. */
export const syncOf = (be: AnyBackend): Backend => (isAsync(be) ? (be.syncFallback ?? fail(be)) : be)

/** Whether a backend delivers asynchronously (WebGPU). */
export const isAsync = (be: AnyBackend): be is Backend<'async'> => be.async === true

const fail = (be: AnyBackend): never => {
  throw new Error(`backend ${be.name} is asynchronous and has no synchronous fallback`)
}

/** Resolve a name or backend value, as `Either`. */
export const resolveBackend = (b: BackendName | AnyBackend): E.Either<TfError, AnyBackend> => {
  if (typeof b === 'object' && b !== null && typeof (b as AnyBackend).matmul === 'function') return E.right(b as AnyBackend)
  if (b === 'reference') return E.right(reference)
  if (b === 'auto' || (typeof b === 'string' && (GPUJS_MODES as ReadonlyArray<string>).includes(b))) {
    try {
      return E.right(gpujsBackend(b as GpujsMode | 'auto'))
    } catch (err) {
      return E.left(tfError('BackendUnavailable', `setBackend: gpu.js mode ${show(b)} is not available here: ${(err as Error).message}`, { expected: b, received: b }))
    }
  }
  return E.left(
    tfError('InvalidArgument', `setBackend: expected one of 'auto', 'reference', ${GPUJS_MODES.map((m) => `'${m}'`).join(', ')} or a Backend, received ${show(b)}`, {
      op: 'setBackend',
      expected: ['auto', 'reference', ...GPUJS_MODES],
      received: b
    })
  )
}

/** Choose the backend for the process. @example setBackend('cpu') */
export const setBackend = (b: BackendName | AnyBackend): AnyBackend => {
  const be = orThrow(resolveBackend(b))
  current = be
  chosen = b !== 'auto'
  setFloatStorage(be.precision)
  return be
}

/**
 * The best backend, found asynchronously (as TensorFlow.js's `tf.ready()`): in a browser where nobody
 * chose a backend, the page's WebGPU when an adapter answers (gpu.js mode `webgpu`), else what `auto`
 * picks synchronously (WebGL2, else webasm, else cpu). In Node it is `getBackend()`: Dawn stays opt-in
 * there (`await installWebGpu()` then `setBackend('webgpu')`), since without a GPU it runs on the CPU.
 *
 * `fit`, `evaluate` and `predict` await it before their first step, so a page trains on WebGPU with no
 * setup; call it yourself to know which backend runs before that. A backend chosen with `setBackend`
 * (other than `'auto'`) is kept. Never rejects: a failed probe falls back to the synchronous choice.
 * @example const be = await ready(); console.log(be.name) // 'webgpu' in a browser with WebGPU
 */
export const ready = async (): Promise<AnyBackend> => {
  if (chosen || PLATFORM !== 'browser') return getBackend()
  probed ??= probeWebGpu()
  const be = await probed
  // setBackend may have been called while the probe ran: the user's choice wins
  if (chosen) return getBackend()
  if (current !== be) {
    current = be
    setFloatStorage(be.precision)
  }
  return be
}

/** The page's WebGPU if an adapter answers and a kernel computes right, else the synchronous `auto`. */
const probeWebGpu = async (): Promise<AnyBackend> => {
  try {
    const w = await installWebGpu()
    if (!w.ok) return getBackend()
    const be = gpujsBackend('webgpu')
    // one matmul large enough to run as a WebGPU kernel must agree with webasm
    const n = 64
    const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) - 6)
    const got = await be.matmul(a, a, 1, n, n, n, false, false)
    const want = syncOf(be).matmul(a, a, 1, n, n, n, false, false)
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return getBackend()
    return be
  } catch {
    return getBackend()
  }
}

/** Run `f` with another backend, then restore the previous one. @example withBackend('reference', () => grad(f)(x)) */
export const withBackend = <A>(b: BackendName | AnyBackend, f: () => A): A => {
  const prev = getBackend()
  const prevChosen = chosen
  setBackend(b)
  try {
    return f()
  } finally {
    current = prev
    chosen = prevChosen
    setFloatStorage(prev.precision)
  }
}
