/**
 * The only module that touches files. Writes are atomic per file (a temporary file in the same
 * directory, flushed, then renamed over the target), and a save renames `model.json` last: a crash
 * before that leaves the previous `model.json` in place, and `model.json` records a digest of its
 * weights so a crash between the two renames is caught on load, never loaded as a mixed model.
 * Reads are bounded: the size is checked before anything is read, and never more is read.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { joinPath, localFileOps, randomHex } from '#platform'
import { ioError, type IoError } from './errors.js'
import { browserFileOpsFor } from './browser.js'

/** The file operations io uses. Tests pass a faulty one to simulate a crash mid-save. */
export interface FileOps {
  readonly mkdir: (dir: string) => Promise<void>
  /** write all bytes to a new file and flush them to disk */
  readonly writeFile: (path: string, data: Uint8Array) => Promise<void>
  readonly rename: (from: string, to: string) => Promise<void>
  readonly remove: (path: string) => Promise<void>
  /**
   * the size of a regular file, or undefined if there is none. `limit`, when given, is the most the
   * caller accepts: a source that cannot tell its size up front (a URL without Content-Length) may
   * stop counting past it and answer any size above `limit`.
   */
  readonly size: (path: string, limit?: number) => Promise<number | undefined>
  /** read exactly `n` bytes from the start of a file (fewer if it shrank) */
  readonly read: (path: string, n: number) => Promise<Uint8Array>
}

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

/**
 * Write files into `dir` atomically, one by one in the order given (put the file that commits the
 * save last). All temporaries are written before any rename; on failure they are removed and the
 * previous files are untouched.
 */
export const writeFilesAtomic = (ops: FileOps, dir: string, files: ReadonlyArray<{ readonly name: string; readonly data: Uint8Array }>): TE.TaskEither<IoError, void> => async () => {
  try {
    await ops.mkdir(dir)
  } catch (err) {
    return E.left(ioError('FileWriteError', dir, 'a writable directory', message(err)))
  }
  const tmps: Array<{ readonly tmp: string; readonly target: string }> = []
  const cleanup = async (): Promise<void> => {
    for (const t of tmps) await ops.remove(t.tmp).catch(() => undefined)
  }
  for (const f of files) {
    const target = join(dir, f.name)
    const tmp = join(dir, `.${f.name}.tmp-${randomHex(6)}`)
    tmps.push({ tmp, target })
    try {
      await ops.writeFile(tmp, f.data)
    } catch (err) {
      await cleanup()
      return E.left(ioError('FileWriteError', target, 'the file written', message(err), `${target}: could not be written (${message(err)}); the previous files are unchanged`))
    }
  }
  for (const t of tmps) {
    try {
      await ops.rename(t.tmp, t.target)
    } catch (err) {
      await cleanup()
      return E.left(ioError('FileWriteError', t.target, 'the file renamed into place', message(err), `${t.target}: could not be renamed into place (${message(err)})`))
    }
  }
  return E.right(undefined)
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
