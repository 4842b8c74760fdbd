/**
 * The only module that touches files.
 *
 * A save is crash-safe and concurrency-safe. Its protocol (`commitSave`), in order:
 *
 * 1. take the directory's lock `.tensorfold.lock` (created with its content in place, failing if one
 *    exists); a lock whose process is gone (same host, pid not alive) — or, from another host, older
 *    than `staleMs` — is broken;
 * 2. remove the temporaries of dead savers;
 * 3. write the weights to a temporary, flush it, and rename it to a *content-addressed* name
 *    (`weights-<sha256 prefix>.bin`), so it never overwrites the weights the current manifest uses
 *    (the same name means the same bytes); flush the directory;
 * 4. write the manifest (`model.json` or `weights.json`) to a temporary, flush it, and rename it over
 *    the old one — the one atomic step that commits the save; flush the directory;
 * 5. remove the weights files no manifest of the directory names any more; release the lock.
 *
 * So at every instant the directory holds a complete model: the old one until the rename of step 4,
 * the new one from then on. A process killed anywhere leaves at most a stale lock, temporaries and an
 * unnamed weights file, all removed by the next save (a load removes dead processes' temporaries too).
 * Concurrent saves (in one process or several) are serialized by the lock; the last one wins.
 * `test/io/crash.test.ts` kills child processes mid-save hundreds of times to check it.
 *
 * Reads are bounded: the size is checked before anything is read, and never more is read.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { joinPath, localFileOps, randomHex, sha256Hex, hostId, processId, processAlive } from '#platform'
import { ioError, type IoError } from './errors.js'
import { browserFileOpsFor } from './browser.js'
import type { FileOps } from '../platform/fileOps.js'

export type { FileOps } from '../platform/fileOps.js'

/** The host's local files: Node's file system (in a browser build, plain paths fail with a message naming what works there). */
export const nodeFileOps: FileOps = localFileOps

/**
 * The file operations for a save or load location: `indexeddb://name` (browser storage),
 * `downloads://name` (save only: the browser downloads the files), `http(s)://…` (load only, with
 * `fetch`), otherwise the local file system.
 */
export const fileOpsFor = (dir: string): FileOps => browserFileOpsFor(dir) ?? localFileOps

/** `dir` joined with a file name: '/' for URL-like locations, the host's separator for local paths. */
export const join = (dir: string, name: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir) ? (dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`) : joinPath(dir, name))


const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))
const errCode = (err: unknown): string | undefined => (typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined)
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The manifest of a saved model. */
export const MODEL_JSON = 'model.json'
/** The manifest of `saveWeights`. */
export const WEIGHTS_JSON = 'weights.json'
/** The lock file of a directory being saved into. */
export const LOCK_FILE = '.tensorfold.lock'
/** The weights files a save writes and may later remove (`weights.bin` is the name older saves used). */
const WEIGHTS_FILE = /^weights(-[0-9a-f]{16,64})?\.bin$/
/** The content-addressed name of a weights file: the same name always holds the same bytes. */
export const weightsFileName = (data: Uint8Array): string => `weights-${sha256Hex(data).slice(0, 20)}.bin`

/** This host, shortly: leftovers name their host and process, so a later save knows whether they are dead. */
const HOST = hostId()
/** `.<target>.tmp-<host>-<pid>-<random>` */
const tmpName = (target: string): string => `.${target}.tmp-${HOST}-${processId()}-${randomHex(6)}`
const TMP_NAME = /^\..+\.tmp-([0-9a-f]{8})-(\d+)-[0-9a-f]+$/
/** temporaries of tensorfold versions that did not name their owner: removed under the lock only */
const OLD_TMP_NAME = /^\.(weights\.bin|model\.json|weights\.json)\.tmp-[0-9a-f]{12}$/

const alive = processAlive

/** How a save waits for and recovers the directory's lock. */
export interface LockOptions {
  /** give up (a `FileWriteError`) after waiting this long for a live lock (default 60 s) */
  readonly timeoutMs: number
  /** a lock of *another host* older than this is taken as stale (default 10 min); on this host a lock is stale as soon as its process is gone */
  readonly staleMs: number
}
/** The default lock options. */
export const defaultLockOptions: LockOptions = Object.freeze({ timeoutMs: 60_000, staleMs: 10 * 60_000 })

interface LockOwner {
  readonly host: string
  readonly pid: number
  readonly token: string
  readonly time: number
}
/** A held lock: its file and the exact bytes this holder wrote. */
interface Lock {
  readonly path: string
  readonly bytes: Uint8Array
}

const parseOwner = (bytes: Uint8Array): LockOwner | undefined => {
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockOwner>
    return typeof o.host === 'string' && typeof o.pid === 'number' && typeof o.token === 'string' && typeof o.time === 'number' ? (o as LockOwner) : undefined
  } catch {
    return undefined
  }
}
const isStale = (o: LockOwner | undefined, staleMs: number): boolean => o === undefined || (o.host === HOST ? !alive(o.pid) : Date.now() - o.time > staleMs)

/** A small file's bytes, or undefined if it is not there. */
const readSmall = async (ops: FileOps, path: string): Promise<Uint8Array | undefined> => {
  try {
    const n = await ops.size(path)
    if (n === undefined) return undefined
    return await ops.read(path, Math.min(n, 4096))
  } catch {
    return undefined
  }
}
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])

/** Create a file only if there is none, with its content in place at once (written aside, then hard-linked). */
const createExclusive = async (ops: FileOps, link: NonNullable<FileOps['link']>, dir: string, path: string, data: Uint8Array): Promise<'created' | 'exists'> => {
  const aside = join(dir, tmpName(LOCK_FILE))
  // not flushed: after a power loss a lock that is empty or gone is as good as stale
  await ops.writeFile(aside, data, false)
  try {
    await link(aside, path)
    return 'created'
  } catch (err) {
    if (errCode(err) === 'EEXIST') return 'exists'
    if (errCode(err) !== 'EPERM' && errCode(err) !== 'ENOTSUP' && errCode(err) !== 'ENOSYS') throw err
    // a file system without hard links: create exclusively in place (a reader may see it empty for a moment)
    try {
      await ops.writeFile(path, data, false)
      return 'created'
    } catch (err2) {
      if (errCode(err2) === 'EEXIST') return 'exists'
      throw err2
    }
  } finally {
    await ops.remove(aside).catch(() => undefined)
  }
}

/** Take the directory's lock: wait while a live save holds it, break it when its owner is gone. */
const acquireLock = async (ops: FileOps, link: NonNullable<FileOps['link']>, dir: string, o: LockOptions): Promise<E.Either<IoError, Lock>> => {
  const path = join(dir, LOCK_FILE)
  const bytes = utf8(JSON.stringify({ host: HOST, pid: processId(), token: randomHex(8), time: Date.now() }))
  const start = Date.now()
  let wait = 1
  for (;;) {
    try {
      if ((await createExclusive(ops, link, dir, path, bytes)) === 'created') return E.right({ path, bytes })
    } catch (err) {
      return E.left(ioError('FileWriteError', path, "the directory's lock file created", message(err), `${path}: could not create the lock file (${message(err)}); nothing was written`))
    }
    const held = await readSmall(ops, path)
    const owner = held === undefined ? undefined : parseOwner(held)
    if (held !== undefined && isStale(owner, o.staleMs)) {
      // Move the stale lock aside, then create ours. If another saver broke and retook it between our
      // read and our rename, we moved *its* lock: it notices before it commits (`checkLock`) and fails.
      const aside = join(dir, tmpName(LOCK_FILE))
      try {
        await ops.rename(path, aside)
        await ops.remove(aside)
      } catch {
        // gone already: someone else broke or released it
      }
      continue
    }
    if (Date.now() - start > o.timeoutMs)
      return E.left(
        ioError(
          'FileWriteError',
          path,
          `the directory's lock within ${o.timeoutMs} ms`,
          owner === undefined ? 'a lock being released' : `a lock held by process ${owner.pid}${owner.host === HOST ? '' : ' of another host'}`,
          `${path}: another save has held this directory's lock for more than ${o.timeoutMs} ms (process ${owner?.pid ?? '?'}); nothing was written. If no save is running, remove the file.`
        )
      )
    await sleep(wait)
    wait = Math.min(50, wait * 2)
  }
}

/** Whether we still hold the lock (a saver that lost it must not commit). */
const checkLock = async (ops: FileOps, l: Lock): Promise<E.Either<IoError, void>> =>
  sameBytes(await readSmall(ops, l.path), l.bytes) ? E.right(undefined) : E.left(ioError('FileWriteError', l.path, "the directory's lock held to the end of the save", 'a lock taken over by another save', `${l.path}: another save took over this directory's lock; this save was not committed (the directory holds the other save)`))

const releaseLock = async (ops: FileOps, l: Lock): Promise<void> => {
  if (sameBytes(await readSmall(ops, l.path), l.bytes)) await ops.remove(l.path).catch(() => undefined)
}

/**
 * Remove what dead savers left: their temporaries (and, holding the lock, those of older versions).
 * Never touches anything of a live process.
 */
export const removeLeftovers = async (ops: FileOps, dir: string, locked: boolean): Promise<void> => {
  if (ops.list === undefined) return
  for (const name of await ops.list(dir)) {
    const m = TMP_NAME.exec(name)
    const dead = m !== null ? m[1] === HOST && !alive(Number(m[2])) : locked && OLD_TMP_NAME.test(name)
    if (dead) await ops.remove(join(dir, name)).catch(() => undefined)
  }
}

/** The weights files a manifest names (undefined if it cannot be read: then nothing is removed). */
const manifestPaths = async (ops: FileOps, path: string): Promise<ReadonlySet<string> | undefined> => {
  try {
    const n = await ops.size(path)
    if (n === undefined) return new Set()
    if (n > 64 * 1024 * 1024) return undefined
    const doc = JSON.parse(new TextDecoder().decode(await ops.read(path, n))) as { weightsManifest?: unknown }
    const out = new Set<string>()
    if (!Array.isArray(doc.weightsManifest)) return out
    for (const g of doc.weightsManifest as ReadonlyArray<{ paths?: unknown }>)
      if (g !== null && typeof g === 'object' && Array.isArray(g.paths))
        for (const p of g.paths) if (typeof p === 'string') out.add(p.replace(/^(\.\/)+/, ''))
    return out
  } catch {
    return undefined
  }
}

/** Remove the weights files (ours only: `weights.bin`, `weights-<hash>.bin`) that no manifest names. */
const removeUnreferenced = async (ops: FileOps, dir: string): Promise<void> => {
  if (ops.list === undefined) return
  const keep = new Set<string>()
  for (const m of [MODEL_JSON, WEIGHTS_JSON]) {
    const ps = await manifestPaths(ops, join(dir, m))
    if (ps === undefined) return
    ps.forEach((p) => keep.add(p))
  }
  for (const name of await ops.list(dir)) if (WEIGHTS_FILE.test(name) && !keep.has(name)) await ops.remove(join(dir, name)).catch(() => undefined)
}

/** Write one file atomically: a flushed temporary renamed over the target. */
const writeAtomic = async (ops: FileOps, dir: string, f: SaveFile): Promise<E.Either<IoError, void>> => {
  const target = join(dir, f.name)
  const tmp = join(dir, tmpName(f.name))
  try {
    await ops.writeFile(tmp, f.data)
    await ops.rename(tmp, target)
    return E.right(undefined)
  } catch (err) {
    await ops.remove(tmp).catch(() => undefined)
    return E.left(ioError('FileWriteError', target, 'the file written', message(err), `${target}: could not be written (${message(err)}); the directory still holds the previous model`))
  }
}

/** One file of a save. */
export interface SaveFile {
  readonly name: string
  readonly data: Uint8Array
}

/**
 * Commit a save into `dir` (the protocol of this module's header): `weights` under their
 * content-addressed names, then `manifest` (`model.json` or `weights.json`) renamed into place, then
 * the weights nothing refers to any more removed — all under the directory's lock.
 */
export const commitSave = (ops: FileOps, dir: string, weights: ReadonlyArray<SaveFile>, manifest: SaveFile, lock: Partial<LockOptions> = {}): TE.TaskEither<IoError, void> => () =>
  serialize(dir, () => commitLocked(ops, dir, weights, manifest, { ...defaultLockOptions, ...lock }))

/** Saves into one directory from this process run one after another (the lock file serializes processes). */
const queues = new Map<string, Promise<unknown>>()
const serialize = <A>(dir: string, task: () => Promise<A>): Promise<A> => {
  const prev = queues.get(dir) ?? Promise.resolve()
  const run = prev.then(task, task)
  const tail = run.then(
    () => undefined,
    () => undefined
  )
  queues.set(dir, tail)
  void tail.then(() => {
    if (queues.get(dir) === tail) queues.delete(dir)
  })
  return run
}

const commitLocked = async (ops: FileOps, dir: string, weights: ReadonlyArray<SaveFile>, manifest: SaveFile, lockOptions: LockOptions): Promise<E.Either<IoError, void>> => {
  try {
    await ops.mkdir(dir)
  } catch (err) {
    return E.left(ioError('FileWriteError', dir, 'a writable directory', message(err)))
  }
  // stores without hard links (the browser's) have no other writer process to lock out
  let held: Lock | undefined
  if (ops.link !== undefined) {
    const l = await acquireLock(ops, ops.link, dir, lockOptions)
    if (E.isLeft(l)) return l
    held = l.right
  }
  const stillHeld = async (): Promise<boolean> => held === undefined || sameBytes(await readSmall(ops, held.path), held.bytes)
  try {
    await removeLeftovers(ops, dir, true)
    for (const w of weights) {
      const r = await writeAtomic(ops, dir, w)
      if (E.isLeft(r)) return r
    }
    // the weights' names reach the disk before a manifest names them
    await ops.syncDir?.(dir)
    if (held !== undefined) {
      const c = await checkLock(ops, held)
      if (E.isLeft(c)) return c
    }
    const r = await writeAtomic(ops, dir, manifest)
    if (E.isLeft(r)) return r
    await ops.syncDir?.(dir)
    return E.right(undefined)
  } finally {
    // after a commit: the old weights; after a failure: the new ones (no manifest names them)
    if (await stillHeld()) await removeUnreferenced(ops, dir)
    if (held !== undefined) await releaseLock(ops, held)
  }
}

/** Read a whole file of at most `max` bytes; `FileTooLarge` is decided before reading. */
export const readBounded = (ops: FileOps, path: string, max: number): TE.TaskEither<IoError, Uint8Array> => async () => {
  const size = await ops.size(path, max)
  if (size === undefined) return E.left(ioError('FileReadError', path, 'a readable file', 'no such file'))
  if (size > max) return E.left(ioError('FileTooLarge', path, `at most ${max} bytes`, size))
  try {
    return E.right(await ops.read(path, size))
  } catch (err) {
    return E.left(ioError('FileReadError', path, 'a readable file', message(err)))
  }
}

/** Read a file that must be exactly `n` bytes long (checked before reading). */
export const readExact = (ops: FileOps, path: string, n: number, what: string): TE.TaskEither<IoError, Uint8Array> => async () => {
  const size = await ops.size(path, n)
  if (size === undefined) return E.left(ioError('FileReadError', path, 'a readable file', 'no such file'))
  if (size !== n) return E.left(ioError('InvalidWeights', path, `${n} bytes (${what})`, size, `${path}: expected ${n} bytes (${what}), the file has ${size}`))
  try {
    const data = await ops.read(path, n)
    if (data.length !== n) return E.left(ioError('InvalidWeights', path, `${n} bytes`, data.length, `${path}: expected ${n} bytes, could read only ${data.length}`))
    return E.right(data)
  } catch (err) {
    return E.left(ioError('FileReadError', path, 'a readable file', message(err)))
  }
}
