/**
 * @internal What tensorfold needs from its host, the browser's version (selected by the `browser`
 * condition of the package.json `imports` entry `#platform`; see `node.ts`). No `process`, no `node:`
 * modules: files live in IndexedDB (`indexeddb://`), leave as downloads (`downloads://`) or come from a
 * URL (`fetch`); see `io/browser.ts`.
 *
 * @since 0.1.0
 */
import type { FileOps } from './fileOps.js'
import { sha256 } from './sha256.js'

/** Which host this build is for. */
export const PLATFORM: 'node' | 'browser' = 'browser'

/** A browser has no environment variables. */
export const getEnv = (_name: string): string | undefined => undefined

/** A browser has no environment to set. */
export const setEnvDefault = (_name: string, _value: string): void => undefined

/** The bundled gpu.js's version is not readable at run time here (its internals are checked instead). */
export const gpujsVersion = (): string | undefined => undefined

/**
 * gpu.js's browser bundle does not export its worker pool, and threads would need a cross-origin
 * isolated page (SharedArrayBuffer): matmuls run synchronously.
 */
export const loadWorkerPool = (): (new () => unknown) | undefined => undefined

/** A thread started by {@link startKernelThread}. */
export interface KernelThread {
  readonly post: (message: unknown) => void
  readonly terminate: () => void
}

/** A page's main thread may not block on `Atomics.wait`, so kernels never wait for a thread here. */
export const startKernelThread = (_source: string, _ctrl: SharedArrayBuffer): KernelThread | undefined => undefined

/** The size from which Node's {@link unfilledFloats} skips zeroing; the browser's zeroes at every size. */
export const UNFILLED_MIN = 65536

/** A new Float32Array of `n` floats for a caller that writes every one (zeroed here: a page has no uninitialised allocation). */
export const unfilledFloats = (n: number): Float32Array => new Float32Array(n)

/** How many threads can run at once here. */
export const hardwareThreads = (): number => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1

/** Join a directory and a file name with '/'. */
export const joinPath = (dir: string, name: string): string => (dir === '' ? name : dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`)

/** `n` random bytes as hex (names of temporary files). */
export const randomHex = (n: number): string => {
  const b = new Uint8Array(n)
  globalThis.crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

/** The SHA-256 digest of `data`, as lower-case hex. */
export const sha256Hex = (data: Uint8Array): string => sha256(data)

/** A page has no host name to tell. */
export const hostId = (): string => '00000000'

/** A page is one "process" (no directory lock is used in the browser: its stores cannot link). */
export const processId = (): number => 1

/** A page cannot see other processes: every owner counts as alive, so nothing of theirs is removed. */
export const processAlive = (_pid: number): boolean => true

const noFiles = (path: string): Error =>
  new Error(
    `${path}: there is no local file system in the browser; save to 'indexeddb://<name>' or 'downloads://<name>', load from 'indexeddb://<name>' or an http(s) URL`
  )

/** Plain paths have nowhere to go in a browser: every operation fails with a message saying what works. */
export const localFileOps: FileOps = {
  mkdir: async (dir) => {
    throw noFiles(dir)
  },
  writeFile: async (path) => {
    throw noFiles(path)
  },
  rename: async (from) => {
    throw noFiles(from)
  },
  remove: async () => undefined,
  size: async () => undefined,
  read: async (path) => {
    throw noFiles(path)
  }
}

/** CSV logging to a file name needs a file system; in the browser pass a sink. */
export const openTextAppender = async (path: string, _append: boolean): Promise<{ readonly hadContent: boolean; readonly write: (s: string) => Promise<void> }> => {
  throw new Error(`csvLogger(${JSON.stringify(path)}): there is no file system in the browser; pass a sink instead, e.g. csvLogger({ write: (s) => lines.push(s) })`)
}

/** The operating system, as far as a page can tell ('browser'). */
export const hostOs = (): string => 'browser'

/** The slice of the `webgpu` package (Dawn) that `installWebGpu` uses. */
export interface DawnModule {
  create(flags: string[]): { requestAdapter(o?: Record<string, unknown>): Promise<unknown> }
  readonly globals: Record<string, unknown>
}

/** Dawn is for Node; a browser's WebGPU is its own `navigator.gpu`. */
export const loadDawn = async (): Promise<{ readonly ok: true; readonly dawn: DawnModule } | { readonly ok: false; readonly reason: string }> => ({
  ok: false,
  reason: 'this browser has no navigator.gpu (WebGPU is off or unsupported here); Dawn (the webgpu package) is for Node only'
})

/** What a path is, for the dataset readers. */
export type PathInfo = { readonly kind: 'file'; readonly size: number } | { readonly kind: 'dir' | 'other' } | { readonly kind: 'missing'; readonly code: string }

const noDatasetFiles = (path: string): Error =>
  new Error(`${path}: there is no local file system in the browser; read CSV data from an http(s) URL or from text (Data.fromCsvText), and images with fromArrays`)

/** Local dataset files do not exist in a browser: paths report as missing, reads fail with what works instead. */
export const localDatasetFiles = {
  info: async (_path: string): Promise<PathInfo> => ({ kind: 'missing', code: 'no local file system in the browser (use an http(s) URL)' }),
  list: async (dir: string): Promise<ReadonlyArray<{ readonly name: string; readonly dir: boolean; readonly file: boolean }>> => {
    throw noDatasetFiles(dir)
  },
  readAll: async (path: string): Promise<Uint8Array> => {
    throw noDatasetFiles(path)
  },
  chunks: (path: string): AsyncIterable<Uint8Array> => ({
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(noDatasetFiles(path)) })
  })
}

/** A notebook display entry that each call overwrites (tslab's `newDisplay()`). */
export interface LiveDisplay {
  text(s: string): void
}

/** No notebook kernel in a page: progress draws as on a terminal. */
export const notebookDisplay = (): (() => LiveDisplay) | undefined => undefined

