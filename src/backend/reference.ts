/**
 * The float64 reference backend: plain loops in double precision. It is the oracle the laws compare
 * every other backend and every VJP against. Slow on purpose-free grounds: clarity over speed.
 *
 * @since 0.1.0
 */
import type { Backend } from './Backend.js'
import { makeLoops } from './loops.js'
import { makeWindowLoops } from './window.js'
import { makeXentLoops } from './xent.js'

/** The float64 reference backend. @example withBackend(reference, () => grad(f)(x)) */
export const reference: Backend = Object.freeze({ name: 'reference', precision: 'float64' as const, ...makeLoops(Float64Array), ...makeWindowLoops(Float64Array), ...makeXentLoops(Float64Array) })
