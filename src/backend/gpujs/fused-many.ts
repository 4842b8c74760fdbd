/**
 * @internal Several fused expressions over the same inputs in one webasm kernel (`Backend.fusedMany`, the
 * sibling steps of `compile/fuse.ts`): an `Array(k)` kernel with row planes (`row-planes.ts`) whose planes
 * are copied straight out of its module (`direct-run.ts` `directRunPlanes`), each into an array of its own.
 * Split out of `backend.ts`, which only dispatches.
 *
 * A group's kernel also learns which of its results come back as its arguments (an optimizer's state
 * does): from its third call a twin kernel stores each such result in that argument's region, and the
 * module's record of what its regions hold names the result, so a call that passes it back skips copying
 * it in. Any other argument is copied, as always; every result is the same bits either way.
 *
 * @since 0.3.0
 */
import type { Expr, FusedRead, View } from '../Backend.js'
import { fusedRead } from '../Backend.js'
import type { Shape } from '../../core/Shape.js'
import type { FloatBuffer } from '../../core/Tensor.js'
import type { KernelCache } from './cache.js'
import { prod } from './layout.js'
import { compileSpec, f32Exact, nonEmpty, type GpuLike, type KernelFn } from './runtime.js'
import { flatOutputsActive, packedResult, requestFlatOutput } from './flat-outputs.js'
import { directRunPlanes } from './direct-run.js'
import { hasRowPlanes, requestRowPlanes, rowPlanesActive } from './row-planes.js'
import { ownArray } from './recycle.js'
import { unfilledFloats } from '#platform'
import { fusedManyKey, fusedManySpec } from './kernels/elementwise.js'

type Fused = (expr: Expr, inputs: ReadonlyArray<View>, out: Shape) => FloatBuffer
type FusedMany = (exprs: ReadonlyArray<Expr>, inputs: ReadonlyArray<View>, out: Shape) => ReadonlyArray<FloatBuffer>

/**
 * A group kernel's record of its results coming back: the first call's results (`last`), then from the
 * second call the argument each came back as (`planes`; null: none did, or the in-place kernel could not
 * run), and the cache key of the kernel that stores them there.
 */
interface InPlace {
  last?: ReadonlyArray<Float32Array>
  planes?: ReadonlyArray<number> | null
  key?: string
}

/** Build a webasm kernel (gpu.js's run shortcut) for `args` now, without running it; false where it cannot be. */
const buildNow = (kf: KernelFn, args: ReadonlyArray<unknown>): boolean => {
  const k = kf.kernel as { built?: boolean; build?: (...a: unknown[]) => void } | undefined
  if (k === undefined || k === null || typeof k.build !== 'function') return false
  if (k.built === true) return true
  try {
    k.build(...args)
  } catch {
    return false
  }
  return (k as { built?: boolean }).built === true
}

/** `k` planes of `n` floats, each copied into an array of the backend's own. */
const planesOf = (flat: Float32Array, k: number, n: number): Float32Array[] =>
  Array.from({ length: k }, (_, c) => {
    const plane = unfilledFloats(n)
    plane.set(flat.subarray(c * n, (c + 1) * n))
    return ownArray(plane)
  })

/**
 * Per result of the last call, the argument of this call it came back as (read in full; each argument
 * once), or -1; null when none did.
 */
const cameBack = (last: ReadonlyArray<Float32Array>, args: ReadonlyArray<unknown>, reads: ReadonlyArray<FusedRead>): ReadonlyArray<number> | null => {
  const used = new Set<number>()
  const planes = last.map((r) => {
    const j = args.findIndex((a, i) => a === r && reads[i].k === 'full' && !used.has(i))
    if (j >= 0) used.add(j)
    return j
  })
  return planes.some((j) => j >= 0) ? planes : null
}

/**
 * The `fusedMany` of a gpu.js backend over its kernel cache: on webasm (`webasm`) one kernel for 2–4
 * expressions whose every input is read in full or as a scalar over a multiple of 4 cells (more than
 * `forward`); otherwise `fused` for each.
 */
export const gpujsFusedMany = (gpu: GpuLike, cache: KernelCache<KernelFn>, fused: Fused, opts: { readonly webasm: boolean; readonly forward: number }): FusedMany => {
  const states = new WeakMap<KernelFn, InPlace>()
  const stateOf = (kf: KernelFn): InPlace => {
    let st = states.get(kf)
    if (st === undefined) states.set(kf, (st = {}))
    return st
  }
  const bytes = (n: number, k: number, args: ReadonlyArray<{ readonly length: number }>): number => (n * k + args.reduce((a, v) => a + v.length, 0)) * 4 + (1 << 20)
  const kernel = (key: string, exprs: ReadonlyArray<Expr>, reads: ReadonlyArray<FusedRead>, n: number, size: number, inPlace?: ReadonlyArray<number>): KernelFn =>
    cache.get(
      key,
      () => {
        const kf = compileSpec(gpu, fusedManySpec(exprs, reads, n))
        requestFlatOutput(kf)
        requestRowPlanes(kf, n, inPlace)
        return kf
      },
      size
    )

  /**
   * The group's twin storing each result that comes back as an argument in that argument's region, run
   * straight into its module (built here, so gpu.js never runs it: its own call would read the output
   * region); undefined where it cannot be (the direct path off, the build failed).
   */
  const inPlaceRun = (st: InPlace & { planes: ReadonlyArray<number> }, exprs: ReadonlyArray<Expr>, reads: ReadonlyArray<FusedRead>, args: ReadonlyArray<ArrayLike<number>>, n: number, k: number): Float32Array[] | undefined => {
    st.key ??= `${fusedManyKey(exprs, reads, n)}|in:${st.planes.join(',')}`
    const kf = kernel(st.key, exprs, reads, n, bytes(n, k, args), st.planes)
    if (!hasRowPlanes(kf) || !buildNow(kf, args)) return undefined
    return directRunPlanes(kf, args, k, n, st.planes)
  }

  return (exprs, inputs, out) => {
    const n = prod(out)
    const k = exprs.length
    const each = (): FloatBuffer[] => exprs.map((e) => fused(e, inputs, out))
    if (!opts.webasm || k < 2 || k > 4 || n % 4 !== 0 || n <= opts.forward || !rowPlanesActive() || !flatOutputsActive() || !inputs.every((v) => f32Exact(v.data))) return each()
    const reads = inputs.map((v) => fusedRead(v.shape, out))
    if (!reads.every((r): r is FusedRead => r !== undefined && (r.k === 'full' || r.k === 'scalar'))) return each()
    const kf = kernel(fusedManyKey(exprs, reads, n), exprs, reads, n, bytes(n, k, inputs.map((v) => v.data)))
    // a kernel built before the extension was switched off stores [cell][component]: one `fused` each
    if (!hasRowPlanes(kf)) return each()
    const args = inputs.map((v) => nonEmpty(v.data instanceof Float32Array ? v.data : Float32Array.from(v.data)))
    const st = stateOf(kf)
    if (st.planes !== undefined && st.planes !== null) {
      const done = inPlaceRun(st as InPlace & { planes: ReadonlyArray<number> }, exprs, reads, args, n, k)
      if (done !== undefined) return done
      st.planes = null
    }
    const planes = directRunPlanes(kf, args, k, n) ?? planesOf(packedResult(kf(...args), n * k), k, n)
    if (st.planes === undefined) {
      // the second call: which results came back as which arguments
      if (st.last !== undefined) {
        st.planes = cameBack(st.last, args, reads)
        st.last = undefined
      } else st.last = planes
    }
    return planes
  }
}
