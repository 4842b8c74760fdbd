/**
 * The gpu.js backend: the only module of the project that imports gpu.js. Every compute method of
 * `Backend` runs as a gpu.js kernel (float32), generated per (op, shapes, parameters), compiled once and
 * cached (LRU, 512 kernels and ~512 MiB of pinned wasm memory per mode; evicted kernels are destroyed).
 * One `GPU` instance per mode.
 *
 * Modes (see `/work/shared/notes/gpujs-field-notes.md` for what each does on a CPU-only machine):
 * - `webasm`: gpu.js's WebAssembly backend, synchronous (no `asyncMode` threads: every threaded kernel
 *   would own a worker pool, field notes G4). Needs nothing; the fastest mode here, so `auto` picks it.
 * - `cpu`: gpu.js's JavaScript backend (computes in float64, stores float32).
 * - `gpu`: headless GL. Needs the real `gl` package and an X display (`xvfb-run -a`); tensorfold installs
 *   an empty stand-in for `gl`, so by default it throws a clear error. Never picked by `auto`: on a
 *   CPU-only machine it runs on llvmpipe, slower than webasm, and llvmpipe ends loops after 65 535
 *   iterations (G2). Not exercised by the test-suite.
 * - `webgpu`: gpu.js's WebGPU kernels through Dawn (`await installWebGpu()` first). They are
 *   asynchronous, so this backend is `async` (see `webgpu.ts`): compiled steps replayed with
 *   `jit(f).async` — what `fit` runs — use WebGPU kernels for matmuls and elementwise work, and eager ops
 *   run on its synchronous fallback, webasm.
 *
 * Exactness beyond 2^24 elements: see `layout.ts` (index math) and `backend.ts` (loop fallbacks).
 *
 * @since 0.1.0
 */
import { GPU, WebAssemblyFunctionNode, WebAssemblyKernel } from 'gpu.js'
import { PLATFORM, getEnv, gpujsVersion, hostOs, loadDawn, setEnvDefault } from '#platform'
import { installContiguousLoads, setContiguousLoads } from './contiguous-loads.js'
import { installIntegerLocals, setIntegerLocals } from './integer-locals.js'
import { installFlatOutputs } from './flat-outputs.js'
import { installRowPlanes, setRowPlanes } from './row-planes.js'
import { installInlineBodies, setInlineBodies } from './inline-bodies.js'
import { installDirectRun, setDirectRun, setResidentArgs } from './direct-run.js'
import { installSplitRun, setSplitRun } from './split-run.js'
import { setKernelThreads } from './kernel-threads.js'
import { setRecycling } from './recycle.js'
import { installNativeMath, setNativeMath } from './native-math.js'
import type { AnyBackend, Backend } from '../Backend.js'
import { createGpujsBackend, type GpuLike, type GpujsMode } from './backend.js'
import { createWebGpuBackend } from './webgpu.js'

export type { GpujsMode } from './backend.js'

/** Every gpu.js mode, in no particular order. */
export const GPUJS_MODES: ReadonlyArray<GpujsMode> = Object.freeze(['webasm', 'cpu', 'gpu', 'webgpu'] as GpujsMode[])

/**
 * The order `auto` tries: in Node webasm then cpu; in a browser build the page's GPU first (WebGL2,
 * else WebGL1: gpu.js mode `gpu`), then webasm, then cpu.
 */
const AUTO_ORDER: ReadonlyArray<GpujsMode> = PLATFORM === 'browser' ? ['gpu', 'webasm', 'cpu'] : ['webasm', 'cpu']

interface GpuStatics {
  readonly isHeadlessGLSupported: boolean
  readonly isWebAssemblySupported: boolean
  readonly isWebGL2Supported?: boolean
  readonly isWebGLSupported?: boolean
}
const statics = GPU as unknown as GpuStatics

const memo = new Map<GpujsMode, AnyBackend>()

/**
 * Elementwise ops on at most this many elements skip gpu.js and run as plain loops (default 16; the
 * environment variable `TENSORFOLD_GPUJS_FORWARD` overrides it, 0 = kernels always). A kernel call's
 * ~3 µs of fixed cost dwarfs the work on a handful of numbers; the results are the same float32 values.
 */
const forwardBelow = (): number => {
  const v = Number(getEnv('TENSORFOLD_GPUJS_FORWARD') ?? 16)
  return Number.isFinite(v) && v >= 0 ? v : 16
}

const hasNavigatorGpu = (): boolean => {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator
  return nav !== undefined && nav.gpu !== undefined && nav.gpu !== null
}

let extension: 'pending' | 'done' = 'pending'
/**
 * Install tensorfold's extensions of gpu.js's WebAssembly code generator once: contiguous lane loads
 * (`contiguous-loads.ts`), integer locals (`integer-locals.ts`), wasm-native exp and tanh
 * (`native-math.ts`), packed `Array(n)` results (`flat-outputs.ts`, which the register-blocked matmul
 * needs), `Array(n)` results stored as row planes (`row-planes.ts`: the blocked matmul's C in row
 * order) and kernel bodies inlined into their cell loops (`inline-bodies.ts`); let compiled kernels be called straight into their wasm module (`direct-run.ts`), and let the
 * main thread take a share of a threaded kernel's cells (`split-run.ts`). With another gpu.js version
 * they stay off, and one line says so. The environment variable `TENSORFOLD_GPUJS_EXTENSIONS=0` turns all
 * eight off; `TENSORFOLD_GPUJS_CONTIGUOUS=0` only the contiguous loads, `TENSORFOLD_GPUJS_ROW_PLANES=0`
 * only the row planes, `TENSORFOLD_GPUJS_INLINE=0` only the inlined bodies,
 * `TENSORFOLD_GPUJS_RESIDENT=0` only the direct calls' skipping of arguments a module already holds, `TENSORFOLD_GPUJS_NATIVE_MATH=0` only the native exp and tanh,
 * `TENSORFOLD_GPUJS_RECYCLE=0` only the reuse of compiled replays' dead intermediates (`recycle.ts`) that
 * the direct calls do, `TENSORFOLD_GPUJS_SPLIT=0` only the split,
 * `TENSORFOLD_GPUJS_THREADS=0` only tensorfold's own threads in it (`kernel-threads.ts`: the split then
 * goes through gpu.js's pool).
 */
const installExtension = (): void => {
  if (extension === 'done') return
  extension = 'done'
  if (getEnv('TENSORFOLD_GPUJS_EXTENSIONS') === '0') {
    setContiguousLoads(false)
    setIntegerLocals(false)
    setRowPlanes(false)
    setInlineBodies(false)
    setNativeMath(false)
    setDirectRun(false)
    setSplitRun(false)
    setKernelThreads(false)
    return
  }
  const version = gpujsVersion()
  const refused: string[] = []
  if (getEnv('TENSORFOLD_GPUJS_CONTIGUOUS') === '0') setContiguousLoads(false)
  else {
    const r = installContiguousLoads(WebAssemblyFunctionNode, version)
    if (!r.ok) refused.push(`contiguous SIMD loads (${r.reason})`)
  }
  const i = installIntegerLocals(WebAssemblyFunctionNode, version)
  if (!i.ok) refused.push(`integer locals (${i.reason})`)
  if (getEnv('TENSORFOLD_GPUJS_NATIVE_MATH') === '0') setNativeMath(false)
  else {
    const m = installNativeMath(WebAssemblyFunctionNode, version)
    if (!m.ok) refused.push(`wasm-native exp and tanh (${m.reason})`)
  }
  const f = installFlatOutputs(WebAssemblyKernel, version)
  if (!f.ok) refused.push(`packed Array(4) results, so no register-blocked matmul (${f.reason})`)
  if (getEnv('TENSORFOLD_GPUJS_ROW_PLANES') === '0') setRowPlanes(false)
  else {
    const p = installRowPlanes(WebAssemblyFunctionNode, WebAssemblyKernel, version)
    if (!p.ok) refused.push(`row-plane Array(4) results, so blocked matmul results are reordered on the main thread (${p.reason})`)
  }
  if (getEnv('TENSORFOLD_GPUJS_INLINE') === '0') setInlineBodies(false)
  else {
    const b = installInlineBodies(WebAssemblyKernel, version)
    if (!b.ok) refused.push(`kernel bodies inlined into their cell loops (${b.reason})`)
  }
  const d = installDirectRun(WebAssemblyKernel, version)
  if (!d.ok) refused.push(`direct kernel calls (${d.reason})`)
  if (getEnv('TENSORFOLD_GPUJS_RESIDENT') === '0') setResidentArgs(false)
  if (getEnv('TENSORFOLD_GPUJS_SPLIT') === '0') setSplitRun(false)
  if (getEnv('TENSORFOLD_GPUJS_THREADS') === '0') setKernelThreads(false)
  const sp = installSplitRun(WebAssemblyKernel, version)
  if (!sp.ok) refused.push(`threaded kernels shared with the main thread (${sp.reason})`)
  // results reused from a compiled replay's dead intermediates ride on the direct calls (recycle.ts)
  if (getEnv('TENSORFOLD_GPUJS_RECYCLE') === '0') setRecycling(false)
  if (refused.length > 0) console.warn(`tensorfold: gpu.js code-generator extensions off: ${refused.join('; ')}; kernels run as gpu.js generates them.`)
}

const makeGpu = (mode: GpujsMode): GpuLike => {
  switch (mode) {
    case 'webasm':
      installExtension()
      if (!statics.isWebAssemblySupported) throw new Error("gpu.js mode 'webasm' is not available: this runtime has no WebAssembly")
      return new GPU({ mode: 'webasm' }) as unknown as GpuLike
    case 'cpu':
      return new GPU({ mode: 'cpu' }) as unknown as GpuLike
    case 'gpu':
      if (PLATFORM === 'browser') {
        if (statics.isWebGL2Supported !== true && statics.isWebGLSupported !== true) throw new Error("gpu.js mode 'gpu' is not available: this page has neither WebGL2 nor WebGL")
        return new GPU({ mode: 'gpu' }) as unknown as GpuLike
      }
      if (!statics.isHeadlessGLSupported)
        throw new Error(
          "gpu.js mode 'gpu' (headless GL) is not available: the 'gl' package could not create a WebGL context. " +
            'tensorfold installs an empty stand-in for gl (vendor/no-gl); install gl@8.1.6 (builds ANGLE, needs libxi-dev) and run under `xvfb-run -a`.'
        )
      return new GPU({ mode: 'headlessgl' }) as unknown as GpuLike
    case 'webgpu':
      if (!hasNavigatorGpu())
        throw new Error(
          "gpu.js mode 'webgpu' is not available: globalThis.navigator.gpu is missing. Call `await installWebGpu()` first (Dawn, from the webgpu package), then setBackend('webgpu')."
        )
      return new GPU({ mode: 'webgpu' }) as unknown as GpuLike
  }
}

/** A fresh, unmemoised backend for `mode` (throws when the mode is unavailable). */
const create = (mode: GpujsMode): AnyBackend => {
  const gpu = makeGpu(mode)
  // WebGPU kernels are asynchronous: an async backend over the synchronous webasm one (see webgpu.ts)
  if (mode === 'webgpu') return createWebGpuBackend(gpu, webasmBackend())
  const be = createGpujsBackend(mode, gpu, { forwardBelow: forwardBelow() })
  // Smoke test: one tiny kernel must give the right answer, or the mode does not work here.
  const r = be.binary('add', { data: new Float32Array([1, 2]), shape: [2] }, { data: new Float32Array([3, 4]), shape: [2] }, [2])
  if (r[0] !== 4 || r[1] !== 6) throw new Error(`gpu.js mode '${mode}' computed a wrong result in its self-test`)
  return be
}

/** The synchronous webasm backend (WebGPU's fallback). */
const webasmBackend = (): Backend => gpujsBackend('webasm')

const isMode = (m: unknown): m is GpujsMode => typeof m === 'string' && (GPUJS_MODES as ReadonlyArray<string>).includes(m)

/**
 * The gpu.js backend for a mode, memoised per mode; `auto` is the best working mode (webasm, else cpu).
 * Throws an `Error` saying why when the mode is unavailable.
 * @example gpujsBackend('webasm').matmul(a, b, 1, 2, 2, 2, false, false)
 */
export function gpujsBackend(mode: Exclude<GpujsMode, 'webgpu'> | 'auto'): Backend
export function gpujsBackend(mode: 'webgpu'): Backend<'async'>
export function gpujsBackend(mode: GpujsMode | 'auto'): AnyBackend
export function gpujsBackend(mode: GpujsMode | 'auto'): AnyBackend {
  if (mode === 'auto') {
    const errors: string[] = []
    for (const m of AUTO_ORDER) {
      try {
        return gpujsBackend(m)
      } catch (err) {
        errors.push((err as Error).message)
      }
    }
    throw new Error(`gpu.js: no working mode: ${errors.join('; ')}`)
  }
  if (!isMode(mode)) throw new Error(`gpu.js: unknown mode ${JSON.stringify(mode)} (expected 'auto' or one of ${GPUJS_MODES.join(', ')})`)
  const hit = memo.get(mode)
  if (hit !== undefined) return hit
  const be = create(mode)
  memo.set(mode, be)
  return be
}

/** The gpu.js modes that work in this process (each one was created and passed a self-test). */
export function availableModes(): GpujsMode[] {
  return GPUJS_MODES.filter((m) => {
    try {
      gpujsBackend(m)
      return true
    } catch {
      return false
    }
  })
}

/** Dawn's backends (the `backend=` flag of the `webgpu` package). */
export type DawnBackend = 'vulkan' | 'metal' | 'd3d12' | 'd3d11' | 'opengl' | 'opengles' | 'null'

export interface InstallWebGpuOptions {
  /**
   * Dawn's backend, or `auto` (the default): the platform's native API first (Vulkan on Linux, Metal
   * on macOS, D3D12 on Windows), then OpenGL at feature level `compatibility` (what works on a
   * CPU-only Linux machine: Mesa's llvmpipe through surfaceless EGL). Ignored in a browser, where
   * `navigator.gpu` is the browser's own.
   */
  readonly backend?: DawnBackend | 'auto'
  /** WebGPU feature level to ask the adapter for (default: `core` for native backends, `compatibility` for OpenGL/GLES). */
  readonly featureLevel?: 'core' | 'compatibility'
  /** Further Dawn flags, e.g. `['adapter=NVIDIA']` (see the webgpu package's README). */
  readonly flags?: ReadonlyArray<string>
}

/** What `installWebGpu` did: which source answers `navigator.gpu` now, or why none does. */
export type WebGpuInstall =
  | {
      readonly _tag: 'WebGpuReady'
      readonly ok: true
      /** `navigator`: the runtime's own (a browser, Deno); `dawn`: the `webgpu` package. */
      readonly source: 'navigator' | 'dawn'
      /** Dawn's backend that answered (undefined for `navigator`). */
      readonly backend: DawnBackend | undefined
      readonly featureLevel: 'core' | 'compatibility' | undefined
    }
  | {
      readonly _tag: 'WebGpuUnavailable'
      readonly ok: false
      /** The module that failed: `webgpu` (Dawn's JS package or its native `dawn.node`) or `adapter` (Dawn loaded, no adapter answered). */
      readonly module: 'webgpu' | 'adapter'
      /** Why, in words (the loader's message, e.g. a missing GLIBCXX version), one line per backend tried. */
      readonly reason: string
      /** Every backend tried, with what it answered. */
      readonly attempts: ReadonlyArray<{ readonly backend: DawnBackend; readonly featureLevel: 'core' | 'compatibility'; readonly error: string }>
    }

const nativeBackend = (): DawnBackend => {
  const os = hostOs()
  return os === 'darwin' ? 'metal' : os === 'win32' ? 'd3d12' : 'vulkan'
}

let installed: WebGpuInstall | undefined

/**
 * Provide `globalThis.navigator.gpu`: the runtime's own where it has one (a browser), else Dawn from
 * the `webgpu` package (an optional install; see docs/install.md), on the backend asked for. Resolves
 * to a tagged value — `{ ok: true, source, backend }`, or `{ ok: false, module, reason, attempts }`
 * saying which module failed to load and why — and never throws. Dawn may print adapter warnings on
 * stderr (native code).
 *
 * The `webgpu` backend then runs compiled steps (`fit`, `jit(f).async`) on WebGPU kernels.
 * @example const w = await installWebGpu({ backend: 'vulkan' }); if (w.ok) setBackend('webgpu'); else console.log(w.reason)
 */
export async function installWebGpu(opts: InstallWebGpuOptions = {}): Promise<WebGpuInstall> {
  if (installed?.ok === true) return installed
  if (hasNavigatorGpu()) {
    // the runtime's own WebGPU (a browser): present is not enough, an adapter must answer
    const gpu = (globalThis as unknown as { navigator: { gpu: { requestAdapter(o?: Record<string, unknown>): Promise<unknown> } } }).navigator.gpu
    try {
      const adapter = await gpu.requestAdapter(opts.featureLevel === undefined ? undefined : { featureLevel: opts.featureLevel })
      if (adapter === null || adapter === undefined)
        return { _tag: 'WebGpuUnavailable', ok: false, module: 'adapter', reason: 'navigator.gpu.requestAdapter() answered null (WebGPU is present but no adapter is available: blocklisted GPU, or disabled)', attempts: [] }
    } catch (err) {
      return { _tag: 'WebGpuUnavailable', ok: false, module: 'adapter', reason: `navigator.gpu.requestAdapter() failed: ${err instanceof Error ? err.message : String(err)}`, attempts: [] }
    }
    return (installed = { _tag: 'WebGpuReady', ok: true, source: 'navigator', backend: undefined, featureLevel: opts.featureLevel })
  }
  const wanted = opts.backend ?? 'auto'
  const plan: ReadonlyArray<DawnBackend> = wanted === 'auto' ? [nativeBackend(), 'opengl'] : [wanted]
  const loaded = await loadDawn()
  if (!loaded.ok) return { _tag: 'WebGpuUnavailable', ok: false, module: 'webgpu', reason: loaded.reason, attempts: [] }
  const attempts: Array<{ backend: DawnBackend; featureLevel: 'core' | 'compatibility'; error: string }> = []
  for (const backend of plan) {
    const featureLevel = opts.featureLevel ?? (backend === 'opengl' || backend === 'opengles' ? 'compatibility' : 'core')
    try {
      if (backend === 'opengl' || backend === 'opengles') setEnvDefault('EGL_PLATFORM', 'surfaceless')
      const dawn = loaded.dawn.create([`backend=${backend}`, ...(opts.flags ?? [])])
      const requestAdapter = (o?: Record<string, unknown>) => dawn.requestAdapter({ featureLevel, ...(o ?? {}) })
      const adapter = await requestAdapter()
      if (adapter === null || adapter === undefined) {
        attempts.push({ backend, featureLevel, error: 'requestAdapter() answered null (no adapter on this backend)' })
        continue
      }
      Object.assign(globalThis, loaded.dawn.globals)
      const gpu = { requestAdapter, getPreferredCanvasFormat: () => 'rgba8unorm' }
      const g = globalThis as unknown as { navigator?: Record<string, unknown> }
      if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true })
      else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true })
      return (installed = { _tag: 'WebGpuReady', ok: true, source: 'dawn', backend, featureLevel })
    } catch (err) {
      attempts.push({ backend, featureLevel, error: err instanceof Error ? err.message : String(err) })
    }
  }
  return {
    _tag: 'WebGpuUnavailable',
    ok: false,
    module: 'adapter',
    reason: attempts.map((a) => `Dawn backend '${a.backend}' (${a.featureLevel}): ${a.error}`).join('; '),
    attempts
  }
}
