/**
 * The file operations `io/` runs on, implemented per platform (`node.ts`: the file system;
 * `browser.ts`: none for plain paths) and by `io/browser.ts` (IndexedDB, downloads, `fetch`).
 *
 * @since 0.2.0
 */

/** The file operations io uses. Tests pass a faulty one to simulate a crash mid-save. */
export interface FileOps {
  readonly mkdir: (dir: string) => Promise<void>
  /** write all bytes to a new file and flush them to disk */
  /** create a new file (failing with code `EEXIST` if it exists), write all bytes and flush them to disk (unless `sync` is false) */
  readonly writeFile: (path: string, data: Uint8Array, sync?: boolean) => Promise<void>
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
  /** a second name for a file, rejecting with code `EEXIST` if `to` exists (absent where there are no links: no directory lock then) */
  readonly link?: (from: string, to: string) => Promise<void>
  /** the names in a directory, [] if there is none (absent where a store cannot list: no clean-up then) */
  readonly list?: (dir: string) => Promise<ReadonlyArray<string>>
  /** flush a directory's entries (renames) to disk */
  readonly syncDir?: (dir: string) => Promise<void>
}
