/**
 * Reading untrusted JSON: a size cap before parsing, then one iterative walk that refuses prototype
 * keys (`__proto__`, `constructor`, `prototype`) anywhere, nesting deeper than a bound, and more nodes
 * than a bound. What passes is plain data (`Json`) and nothing else: no reviver, no `eval`, no class.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { show } from '../core/errors.js'
import { ioError, type IoError } from './errors.js'

/** Plain JSON. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

/** Keys a file may never use: they would reach `Object.prototype` through careless merging. */
export const FORBIDDEN_KEYS: ReadonlyArray<string> = Object.freeze(['__proto__', 'constructor', 'prototype'])

/** Limits on one JSON document. */
export interface JsonLimits {
  /** bytes of text (default 32 MiB) */
  readonly maxBytes: number
  /** nesting depth (default 64) */
  readonly maxDepth: number
  /** values in the document (default 2,000,000) */
  readonly maxNodes: number
}

/** The default limits. */
export const defaultJsonLimits: JsonLimits = Object.freeze({ maxBytes: 32 * 1024 * 1024, maxDepth: 64, maxNodes: 2_000_000 })

/** The JSON path of a key under a parent path: `a.b`, `a[3]`, `a["odd key"]`. */
export const childPath = (parent: string, k: string | number): string =>
  typeof k === 'number' ? `${parent}[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? (parent ? `${parent}.${k}` : k) : `${parent}[${JSON.stringify(k)}]`

const numberChar = (d: number): boolean => (d >= 0x30 && d <= 0x39) || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d || d === 0x2e

/** @internal Work done by this module (characters scanned, values checked): tests bound it by the input's size. */
export const jsonWork = { scanned: 0, checked: 0 }

/**
 * Count the values of a JSON text without building anything (one pass over the characters), stopping
 * as soon as there are more than `max`: a file of millions of tiny values is refused before
 * `JSON.parse` allocates them. Keys are not values. Malformed text is left for `JSON.parse` to report.
 */
export const countValues = (text: string, max: number): number => {
  let n = 0
  let i = 0
  const len = text.length
  for (; i < len && n <= max; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // a string: skip it (escapes included); a ':' after it makes it a key
      n++
      for (i++; i < len; i++) {
        const d = text.charCodeAt(i)
        if (d === 0x5c) i++
        else if (d === 0x22) break
      }
    } else if (c === 0x3a) n--
    else if (c === 0x5b || c === 0x7b) n++
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      n++
      while (i + 1 < len && numberChar(text.charCodeAt(i + 1))) i++
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      n++
      while (i + 1 < len && text.charCodeAt(i + 1) >= 0x61 && text.charCodeAt(i + 1) <= 0x7a) i++
    }
  }
  jsonWork.scanned += Math.min(i, len)
  return n
}

interface Cursor {
  readonly obj: unknown
  readonly keys: ReadonlyArray<string> | undefined
  readonly length: number
  readonly key: string | number | undefined
  i: number
}

/**
 * Check that a parsed value is safe plain data: no forbidden key, bounded depth and size.
 * Iterative over a stack of open containers (never deeper than `maxDepth`), so a deeply nested file
 * cannot overflow the stack; paths are only spelled out for an error.
 */
export const checkPlain = (file: string, root: unknown, limits: JsonLimits = defaultJsonLimits): E.Either<IoError, Json> => {
  const stack: Cursor[] = []
  let nodes = 0
  const pathTo = (key: string | number | undefined): string => {
    let p = ''
    for (const c of stack) if (c.key !== undefined) p = childPath(p, c.key)
    return key === undefined ? p : childPath(p, key)
  }
  const visit = (v: unknown, key: string | number | undefined): IoError | undefined => {
    jsonWork.checked++
    if (++nodes > limits.maxNodes) return ioError('FileTooLarge', `${file}: ${pathTo(key) || '(root)'}`, `at most ${limits.maxNodes} JSON values`, `more`)
    if (stack.length > limits.maxDepth) return ioError('InvalidModelFile', `${file}: ${pathTo(key)}`, `nesting of at most ${limits.maxDepth} levels`, `deeper nesting`)
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return undefined
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : ioError('InvalidModelFile', `${file}: ${pathTo(key)}`, 'a finite number', v)
    if (Array.isArray(v)) {
      stack.push({ obj: v, keys: undefined, length: v.length, key, i: 0 })
      return undefined
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const keys = Object.keys(v)
      for (const k of keys)
        if (FORBIDDEN_KEYS.includes(k)) {
          const at = pathTo(key)
          return ioError('InvalidModelFile', `${file}: ${childPath(at, k)}`, `no key named ${FORBIDDEN_KEYS.map((f) => `'${f}'`).join(', ')}`, k, `${file}: forbidden key ${show(k)} at ${at || '(root)'}: a model file may not use prototype keys`)
        }
      stack.push({ obj: v, keys, length: keys.length, key, i: 0 })
      return undefined
    }
    return ioError('InvalidModelFile', `${file}: ${pathTo(key)}`, 'plain JSON data', v)
  }
  let err = visit(root, undefined)
  while (err === undefined && stack.length > 0) {
    const top = stack[stack.length - 1]
    if (top.i >= top.length) {
      stack.pop()
      continue
    }
    const k = top.keys === undefined ? top.i : top.keys[top.i]
    top.i++
    err = visit((top.obj as Record<string | number, unknown>)[k], k)
  }
  return err === undefined ? E.right(root as Json) : E.left(err)
}

/** Parse text as JSON within the limits and check it is safe plain data. */
export const parseJson = (file: string, text: string, limits: JsonLimits = defaultJsonLimits): E.Either<IoError, Json> => {
  if (text.length > limits.maxBytes) return E.left(ioError('FileTooLarge', file, `at most ${limits.maxBytes} bytes`, text.length))
  // counted before parsing: nothing is allocated for a file of too many values
  if (countValues(text, limits.maxNodes) > limits.maxNodes) return E.left(ioError('FileTooLarge', `${file}: (root)`, `at most ${limits.maxNodes} JSON values`, 'more', `${file}: more than ${limits.maxNodes} JSON values (refused before parsing)`))
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (err) {
    const head = text.slice(0, 40)
    return E.left(ioError('InvalidJson', file, 'JSON', head, `${file}: expected JSON, received text that does not parse (${(err as Error).message}); it starts ${show(head)}`))
  }
  return checkPlain(file, v, limits)
}
