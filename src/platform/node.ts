/**
 * @internal What tensorfold needs from its host, Node's version. The package.json `imports` entry
 * `#platform` resolves here everywhere except under the `browser` condition (bundlers targeting the
 * browser), which gets `browser.ts`: the only two modules that may differ between Node and the browser.
 * Nothing else in `src/` imports a `node:` module or reads `process`.
 *
 * @since 0.1.0
 */
import * as fsp from 'node:fs/promises'
import { createReadStream, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { availableParallelism, hostname } from 'node:os'
import { MessageChannel, Worker } from 'node:worker_threads'
import { Buffer } from 'node:buffer'
import type { FileOps } from './fileOps.js'

/** Which host this build is for. */
export const PLATFORM: 'node' | 'browser' = 'node'

/** An environment variable (undefined where unset). */
export const getEnv = (name: string): string | undefined => process.env[name]

/** Set an environment variable if it is unset (native modules such as Dawn read the process environment). */
export const setEnvDefault = (name: string, value: string): void => {
  if (process.env[name] === undefined) process.env[name] = value
}

/** The installed gpu.js's version (from its package.json), or undefined where it cannot be read. */
export const gpujsVersion = (): string | undefined => {
  try {
    const req = createRequire(import.meta.url)
    return (req('gpu.js/package.json') as { version?: string }).version
  } catch {
    return undefined
  }
}

/** The constructor of gpu.js's WebAssembly worker pool, or undefined where it cannot be loaded. */
export const loadWorkerPool = (): (new () => unknown) | undefined => {
  const req = createRequire(import.meta.url)
  const mod = req('gpu.js/src/backend/web-assembly/worker-pool.js') as { WebAssemblyWorkerPool?: new () => unknown }
  return mod.WebAssemblyWorkerPool
}

/** A thread started by {@link startKernelThread}. */
export interface KernelThread {
  /** Send it a message on its port (it reads them synchronously: `receiveMessageOnPort`). */
  readonly post: (message: unknown) => void
  /** Stop it (its kernels then run on the calling thread). */
  readonly terminate: () => void
}

/**
 * Start a thread that runs `source` (CommonJS, evaluated) with `require('node:worker_threads').workerData`
 * = `{ ctrl, port }`: the shared control block and its end of a message channel. It does not hold the
 * process open; undefined where it cannot be started. Node's main thread may block on `Atomics.wait`,
 * so a kernel can wait for it synchronously.
 */
export const startKernelThread = (source: string, ctrl: SharedArrayBuffer): KernelThread | undefined => {
  try {
    const ch = new MessageChannel()
    const w = new Worker(source, { eval: true, workerData: { ctrl, port: ch.port2 }, transferList: [ch.port2] })
    w.unref()
    ch.port1.unref()
    // a thread that fails is left alone: its share is claimed by the calling thread (kernel-threads.ts)
    w.on('error', () => undefined)
    return { post: (m) => ch.port1.postMessage(m), terminate: () => void w.terminate() }
  } catch {
    return undefined
  }
}

/** From this many floats (256 KB) {@link unfilledFloats} skips zeroing; below it a plain array costs no more. */
export const UNFILLED_MIN = 65536

/**
 * A new Float32Array of `n` floats whose values are unspecified, for a caller that writes every one of
 * them before the array leaves its hands (a kernel result copied out of wasm memory, `dataSync`'s copy).
 * From {@link UNFILLED_MIN} floats its memory comes from `Buffer.allocUnsafeSlow` (its own ArrayBuffer,
 * not Node's shared pool), which skips the zeroing a `new Float32Array(n)` does: a 4 MB result then
 * costs 0.10–0.14 ms to allocate and fill instead of 0.25–0.28 (docs/performance.md, "Large results left
 * unzeroed"). The browser's version always zeroes.
 */
export const unfilledFloats = (n: number): Float32Array => {
  if (n < UNFILLED_MIN) return new Float32Array(n)
  const b = Buffer.allocUnsafeSlow(n * 4)
  return new Float32Array(b.buffer, b.byteOffset, n)
}

/** How many threads can run at once here. */
export const hardwareThreads = (): number => availableParallelism()

/** Join a directory and a file name with the host's separator. */
export const joinPath = (dir: string, name: string): string => join(dir, name)

/** `n` random bytes as hex (names of temporary files). */
export const randomHex = (n: number): string => randomBytes(n).toString('hex')

/** The SHA-256 digest of `data`, as lower-case hex. */
export const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** This host, as 8 hex digits (leftovers of a save name their host and process). */
export const hostId = (): string => createHash('sha256').update(hostname()).digest('hex').slice(0, 8)

/** This process's id. */
export const processId = (): number => process.pid

/** Whether a process of this host is alive (a zombie counts as alive until reaped). */
export const processAlive = (pid: number): boolean => {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'
  }
}

/** The local file system (Node's `fs`). */
export const localFileOps: FileOps = {
  mkdir: async (dir) => {
    await fsp.mkdir(dir, { recursive: true })
  },
  writeFile: async (path, data, sync = true) => {
    const fh = await fsp.open(path, 'wx', 0o644)
    try {
      await fh.writeFile(data)
      if (sync) await fh.sync()
    } finally {
      await fh.close()
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  link: (from, to) => fsp.link(from, to),
  remove: (path) => fsp.rm(path, { force: true }),
  size: async (path) => {
    try {
      const st = await fsp.stat(path)
      return st.isFile() ? st.size : undefined
    } catch {
      return undefined
    }
  },
  read: async (path, n) => {
    const fh = await fsp.open(path, 'r')
    try {
      const buf = new Uint8Array(n)
      let got = 0
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, got)
        if (bytesRead === 0) break
        got += bytesRead
      }
      return got === n ? buf : buf.subarray(0, got)
    } finally {
      await fh.close()
    }
  },
  list: async (dir) => {
    try {
      return await fsp.readdir(dir)
    } catch {
      return []
    }
  },
  syncDir: async (dir) => {
    let fh: fsp.FileHandle | undefined
    try {
      fh = await fsp.open(dir, 'r')
      await fh.sync()
    } catch {
      // some platforms cannot open or flush a directory; the renames stay atomic there
    } finally {
      await fh?.close().catch(() => undefined)
    }
  }
}

/** A text file for a logger: truncate (unless appending) and return an appender; `hadContent` tells whether it was non-empty before. */
export const openTextAppender = async (path: string, append: boolean): Promise<{ readonly hadContent: boolean; readonly write: (s: string) => Promise<void> }> => {
  let hadContent = false
  if (append) {
    try {
      hadContent = (await fsp.stat(path)).size > 0
    } catch {
      hadContent = false
    }
  } else await fsp.writeFile(path, '')
  return { hadContent, write: (s) => fsp.appendFile(path, s) }
}

/** The operating system (Node's `process.platform`). */
export const hostOs = (): string => process.platform

/** The slice of the `webgpu` package (Dawn) that `installWebGpu` uses. */
export interface DawnModule {
  create(flags: string[]): { requestAdapter(o?: Record<string, unknown>): Promise<unknown> }
  readonly globals: Record<string, unknown>
}

/**
 * Load Dawn (the `webgpu` package, an optional install). Never throws: a missing package or a native
 * `dawn.node` that cannot load (e.g. `GLIBCXX_3.4.32 not found`) comes back as the loader's message.
 */
export const loadDawn = async (): Promise<{ readonly ok: true; readonly dawn: DawnModule } | { readonly ok: false; readonly reason: string }> => {
  try {
    const spec = 'webgpu'
    const mod = (await import(/* @vite-ignore */ spec)) as Partial<DawnModule> & { default?: Partial<DawnModule> }
    const m = typeof mod.create === 'function' ? mod : mod.default
    if (m === undefined || typeof m.create !== 'function' || m.globals === undefined) return { ok: false, reason: "the 'webgpu' package loaded but has no create()/globals (expected webgpu >= 0.2)" }
    return { ok: true, dawn: m as DawnModule }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err)
    const code = (err as { code?: string }).code
    return {
      ok: false,
      reason:
        code === 'ERR_MODULE_NOT_FOUND' && /'webgpu'/.test(msg)
          ? "the 'webgpu' package is not installed (npm install webgpu@0.6.2 for Dawn; see docs/install.md)"
          : `the 'webgpu' package failed to load: ${msg.split('\n')[0]}`
    }
  }
}

/** What a path is, for the dataset readers: a file (with its size), a directory, something else, or an error code. */
export type PathInfo = { readonly kind: 'file'; readonly size: number } | { readonly kind: 'dir' | 'other' } | { readonly kind: 'missing'; readonly code: string }

/** Read-only local files for datasets (CSV files, image folders). */
export const localDatasetFiles = {
  info: async (path: string): Promise<PathInfo> => {
    try {
      const st = await fsp.stat(path)
      return st.isFile() ? { kind: 'file', size: st.size } : st.isDirectory() ? { kind: 'dir' } : { kind: 'other' }
    } catch (err) {
      return { kind: 'missing', code: (err as NodeJS.ErrnoException).code ?? String(err) }
    }
  },
  /** the entries of a directory, sorted by name */
  list: async (dir: string): Promise<ReadonlyArray<{ readonly name: string; readonly dir: boolean; readonly file: boolean }>> =>
    (await fsp.readdir(dir, { withFileTypes: true }))
      .map((e) => ({ name: e.name, dir: e.isDirectory(), file: e.isFile() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  readAll: async (path: string): Promise<Uint8Array> => new Uint8Array(await fsp.readFile(path)),
  /** the bytes of a file, 64 KiB at a time */
  chunks: (path: string): AsyncIterable<Uint8Array> => createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Uint8Array>
}

/** A notebook display entry that each call overwrites (tslab's `newDisplay()`). */
export interface LiveDisplay {
  text(s: string): void
}

/**
 * In a tslab Jupyter kernel: a factory of live display entries (the kernel's own `tslab.newDisplay`),
 * found through the kernel's executable (`process.argv[1]`), so the entries reach this kernel whatever
 * copy of tslab the notebook's project has. Elsewhere, or when anything about it is unexpected:
 * undefined (progress then redraws with `\r` on stdout).
 */
export const notebookDisplay = (): (() => LiveDisplay) | undefined => {
  if (process.env.JPY_PARENT_PID === undefined || process.argv[1] === undefined) return undefined
  try {
    const tslab = createRequire(realpathSync(process.argv[1]))('tslab') as { newDisplay?: () => LiveDisplay }
    const make = tslab.newDisplay
    return typeof make === 'function' ? () => make() : undefined
  } catch {
    return undefined
  }
}

