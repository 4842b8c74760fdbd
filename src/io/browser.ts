/**
 * File operations for the locations a browser has, spelled as TensorFlow.js spells them:
 * - `indexeddb://name`: the files of a save live in the page origin's IndexedDB (database
 *   `tensorfold`, one record per file, keyed by the full path); a rename is one transaction.
 * - `downloads://name`: save only; each file is offered as a download named `name.model.json`,
 *   `name.weights.bin` (the browser's downloads folder is flat).
 * - `http://…`, `https://…`: load only, with `fetch`; the size is taken from Content-Length before
 *   the body is read, and a body without it is read only up to the caller's limit. Works in Node too.
 *
 * Loading applies the same bounded, strict decoding as files (`load.ts`): these only move bytes.
 *
 * @since 0.1.0
 */
import type { FileOps } from '../platform/fileOps.js'

export const INDEXEDDB_SCHEME = 'indexeddb://'
export const DOWNLOADS_SCHEME = 'downloads://'

const DB_NAME = 'tensorfold'
const STORE = 'files'

interface IdbRequest<A> {
  result: A
  error: unknown
  onsuccess: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: ((ev: unknown) => void) | null
}
interface IdbStore {
  get(key: string): IdbRequest<unknown>
  put(value: unknown, key: string): IdbRequest<unknown>
  delete(key: string): IdbRequest<unknown>
  getAllKeys(): IdbRequest<ReadonlyArray<unknown>>
}
interface IdbTransaction {
  objectStore(name: string): IdbStore
  oncomplete: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  onabort: ((ev: unknown) => void) | null
  error: unknown
}
interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean }
  createObjectStore(name: string): unknown
  transaction(store: string, mode: 'readonly' | 'readwrite'): IdbTransaction
  close(): void
}
interface IdbFactory {
  open(name: string, version?: number): IdbOpenRequest
}

const indexedDb = (path: string): IdbFactory => {
  const f = (globalThis as { indexedDB?: IdbFactory }).indexedDB
  if (f === undefined) throw new Error(`${path}: this runtime has no IndexedDB (indexeddb:// works in a browser)`)
  return f
}

const openDb = (path: string): Promise<IdbDatabase> =>
  new Promise((resolve, reject) => {
    const req = indexedDb(path).open(DB_NAME, 1)
    req.onupgradeneeded = () => {
      const db = req.result
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE)
    }
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(new Error(`${path}: IndexedDB could not be opened (${String(req.error)})`))
  })

/** Run `body` in one transaction; resolves with what `body` resolved once the transaction completes. */
const inTransaction = async <A>(path: string, mode: 'readonly' | 'readwrite', body: (store: IdbStore, done: (a: A) => void) => void): Promise<A> => {
  const db = await openDb(path)
  try {
    return await new Promise<A>((resolve, reject) => {
      const tx = db.transaction(STORE, mode)
      let out: A | undefined
      let set = false
      tx.oncomplete = () => (set ? resolve(out as A) : reject(new Error(`${path}: IndexedDB transaction ended without a result`)))
      tx.onerror = () => reject(new Error(`${path}: IndexedDB: ${String(tx.error)}`))
      tx.onabort = () => reject(new Error(`${path}: IndexedDB transaction aborted (${String(tx.error)})`))
      body(tx.objectStore(STORE), (a) => {
        out = a
        set = true
      })
    })
  } finally {
    db.close()
  }
}

const asBytes = (v: unknown): Uint8Array | undefined => (v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : undefined)

/** Files in IndexedDB, keyed by their full `indexeddb://…` path. */
export const indexedDbFileOps: FileOps = {
  mkdir: async () => undefined,
  writeFile: (path, data) =>
    inTransaction<void>(path, 'readwrite', (store, done) => {
      store.put(data.slice(), path).onsuccess = () => done(undefined)
    }),
  rename: (from, to) =>
    inTransaction<void>(from, 'readwrite', (store, done) => {
      const get = store.get(from)
      get.onsuccess = () => {
        const bytes = asBytes(get.result)
        if (bytes === undefined) throw new Error(`${from}: no such file`)
        store.put(bytes, to).onsuccess = () => {
          store.delete(from).onsuccess = () => done(undefined)
        }
      }
    }),
  remove: (path) =>
    inTransaction<void>(path, 'readwrite', (store, done) => {
      store.delete(path).onsuccess = () => done(undefined)
    }),
  list: (dir) =>
    inTransaction<ReadonlyArray<string>>(dir, 'readonly', (store, done) => {
      const keys = store.getAllKeys()
      const prefix = dir.endsWith('/') ? dir : `${dir}/`
      keys.onsuccess = () => done(keys.result.filter((k): k is string => typeof k === 'string' && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length)))
    }),
  size: async (path) => {
    try {
      return await inTransaction<number | undefined>(path, 'readonly', (store, done) => {
        const get = store.get(path)
        get.onsuccess = () => done(asBytes(get.result)?.length)
      })
    } catch {
      return undefined
    }
  },
  read: (path, n) =>
    inTransaction<Uint8Array>(path, 'readonly', (store, done) => {
      const get = store.get(path)
      get.onsuccess = () => {
        const bytes = asBytes(get.result)
        if (bytes === undefined) throw new Error(`${path}: no such file`)
        done(bytes.length > n ? bytes.slice(0, n) : bytes)
      }
    })
}

interface DocumentLike {
  createElement(tag: 'a'): { href: string; download: string; click(): void; remove?: () => void; style?: { display: string } }
  body: { appendChild(e: unknown): unknown }
}

/**
 * Downloads: files are held in memory until renamed into place (the last step of an atomic save),
 * then offered as a download named `<name>.<file>`.
 */
const downloadsFileOps = (): FileOps => {
  const pending = new Map<string, Uint8Array>()
  const unsupported = (path: string): Error => new Error(`${path}: downloads:// is for saving only; load from indexeddb:// or a URL`)
  return {
    mkdir: async () => undefined,
    writeFile: async (path, data) => {
      pending.set(path, data.slice())
    },
    rename: async (from, to) => {
      const data = pending.get(from)
      if (data === undefined) throw new Error(`${from}: no such file`)
      pending.delete(from)
      const doc = (globalThis as { document?: DocumentLike }).document
      const U = (globalThis as { URL?: { createObjectURL(b: unknown): string; revokeObjectURL(u: string): void } }).URL
      const BlobCtor = (globalThis as { Blob?: new (parts: unknown[], o?: { type: string }) => unknown }).Blob
      if (doc === undefined || U?.createObjectURL === undefined || BlobCtor === undefined) throw new Error(`${to}: downloads:// needs a browser page (document, Blob, URL.createObjectURL)`)
      const rest = to.slice(DOWNLOADS_SCHEME.length)
      const slash = rest.lastIndexOf('/')
      const fileName = slash < 0 ? rest : `${rest.slice(0, slash).replace(/\//g, '-')}.${rest.slice(slash + 1)}`
      const url = U.createObjectURL(new BlobCtor([data], { type: to.endsWith('.json') ? 'application/json' : 'application/octet-stream' }))
      const a = doc.createElement('a')
      a.href = url
      a.download = fileName
      if (a.style !== undefined) a.style.display = 'none'
      doc.body.appendChild(a)
      a.click()
      a.remove?.()
      setTimeout(() => U.revokeObjectURL(url), 60_000)
    },
    remove: async (path) => {
      pending.delete(path)
    },
    size: async () => undefined,
    read: async (path) => {
      throw unsupported(path)
    }
  }
}

interface FetchResponse {
  readonly ok: boolean
  readonly status: number
  readonly headers: { get(name: string): string | null }
  readonly body: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } } | null
}
type Fetch = (url: string, init?: { method?: string }) => Promise<FetchResponse>

/** Read at most `max` bytes of a body; stop (and cancel the rest) once more arrive. */
const readBody = async (res: FetchResponse, max: number): Promise<{ readonly bytes: Uint8Array; readonly more: boolean }> => {
  if (res.body === null) return { bytes: new Uint8Array(0), more: false }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let got = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done || value === undefined) break
    chunks.push(value)
    got += value.length
    if (got > max) {
      await reader.cancel().catch(() => undefined)
      return { bytes: new Uint8Array(0), more: true }
    }
  }
  const out = new Uint8Array(got)
  let off = 0
  for (const c of chunks) {
    out.set(c, off)
    off += c.length
  }
  return { bytes: out, more: false }
}

/**
 * Loading over HTTP(S) with `fetch`. `size` asks with GET and answers from Content-Length without
 * reading the body; without the header it reads the body up to the caller's limit (and keeps it for
 * `read`). `read` takes what `size` kept, or fetches again and reads at most `n` bytes.
 */
export const fetchFileOps = (fetchFn?: Fetch): FileOps => {
  const kept = new Map<string, Uint8Array>()
  const getFetch = (path: string): Fetch => {
    const f = fetchFn ?? (globalThis as { fetch?: Fetch }).fetch
    if (f === undefined) throw new Error(`${path}: this runtime has no fetch`)
    return f
  }
  const readOnly = (path: string): Error => new Error(`${path}: an http(s) URL is for loading only; save to indexeddb:// or downloads:// (or a file path in Node)`)
  return {
    mkdir: async (dir) => {
      throw readOnly(dir)
    },
    writeFile: async (path) => {
      throw readOnly(path)
    },
    rename: async (from) => {
      throw readOnly(from)
    },
    remove: async () => undefined,
    size: async (path, limit) => {
      let res: FetchResponse
      try {
        res = await getFetch(path)(path)
      } catch {
        return undefined
      }
      if (!res.ok) {
        await res.body?.getReader().cancel().catch(() => undefined)
        return undefined
      }
      const len = res.headers.get('content-length')
      const n = len === null ? NaN : Number(len)
      if (Number.isSafeInteger(n) && n >= 0) {
        await res.body?.getReader().cancel().catch(() => undefined)
        return n
      }
      const { bytes, more } = await readBody(res, limit ?? 2 ** 31 - 1)
      if (more) return (limit ?? 2 ** 31 - 1) + 1
      kept.set(path, bytes)
      return bytes.length
    },
    read: async (path, n) => {
      const hit = kept.get(path)
      if (hit !== undefined) {
        kept.delete(path)
        return hit.length > n ? hit.slice(0, n) : hit
      }
      const res = await getFetch(path)(path)
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`)
      const { bytes, more } = await readBody(res, n)
      if (more) throw new Error(`${path}: the response is longer than the ${n} bytes announced`)
      return bytes
    }
  }
}

/** The file operations for a browser-style location, or undefined for a plain path. */
export const browserFileOpsFor = (dir: string): FileOps | undefined => {
  if (dir.startsWith(INDEXEDDB_SCHEME)) return indexedDbFileOps
  if (dir.startsWith(DOWNLOADS_SCHEME)) return downloadsFileOps()
  if (/^https?:\/\//i.test(dir)) return fetchFileOps()
  return undefined
}
