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

/**
 * Check that a parsed value is safe plain data: no forbidden key, bounded depth and size.
 * Iterative, so a deeply nested file cannot overflow the stack.
 */
export const checkPlain = (file: string, root: unknown, limits: JsonLimits = defaultJsonLimits): E.Either<IoError, Json> => {
  const stack: Array<readonly [unknown, string, number]> = [[root, '', 0]]
  let nodes = 0
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop() as readonly [unknown, string, number]
    if (++nodes > limits.maxNodes) return E.left(ioError('FileTooLarge', `${file}: ${path || '(root)'}`, `at most ${limits.maxNodes} JSON values`, `more`))
    if (depth > limits.maxDepth) return E.left(ioError('InvalidModelFile', `${file}: ${path}`, `nesting of at most ${limits.maxDepth} levels`, `deeper nesting`))
    if (v === null || typeof v === 'boolean' || typeof v === 'string') continue
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return E.left(ioError('InvalidModelFile', `${file}: ${path}`, 'a finite number', v))
      continue
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], childPath(path, i), depth + 1])
      continue
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const k of Object.keys(v)) {
        if (FORBIDDEN_KEYS.includes(k))
          return E.left(ioError('InvalidModelFile', `${file}: ${childPath(path, k)}`, `no key named ${FORBIDDEN_KEYS.map((f) => `'${f}'`).join(', ')}`, k, `${file}: forbidden key ${show(k)} at ${path || '(root)'}: a model file may not use prototype keys`))
        stack.push([(v as Record<string, unknown>)[k], childPath(path, k), depth + 1])
      }
      continue
    }
    return E.left(ioError('InvalidModelFile', `${file}: ${path}`, 'plain JSON data', v))
  }
  return E.right(root as Json)
}

/** Parse text as JSON within the limits and check it is safe plain data. */
export const parseJson = (file: string, text: string, limits: JsonLimits = defaultJsonLimits): E.Either<IoError, Json> => {
  if (text.length > limits.maxBytes) return E.left(ioError('FileTooLarge', file, `at most ${limits.maxBytes} bytes`, text.length))
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (err) {
    const head = text.slice(0, 40)
    return E.left(ioError('InvalidJson', file, 'JSON', head, `${file}: expected JSON, received text that does not parse (${(err as Error).message}); it starts ${show(head)}`))
  }
  return checkPlain(file, v, limits)
}
