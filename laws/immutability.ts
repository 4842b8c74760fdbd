/**
 * Immutability law: no public value reachable from a model or trainer can change what it computes.
 *
 * {@link writesCannotChange} walks everything reachable from the given roots through own properties
 * (string and symbol keys), public getters of class instances, array elements and Map/Set entries,
 * then tries to write every one of them: each typed array's first element, each property of each
 * object, array and function (a different value of the same type, then `delete`), `push` on arrays
 * and `clear` on maps and sets. It observes the roots (e.g. their predictions) before and after, and
 * holds when the observation is bit for bit the same.
 *
 * It is destructive when it fails (whatever it could write stays written), so run it on values made
 * for it.
 *
 * @since 0.3.0
 */
import { dataSync, isTensor, type Tensor } from '../src/core/Tensor.js'

/** Outcome of {@link writesCannotChange}. */
export interface WriteProbeReport {
  /** the observation is bit for bit the same after every write was tried */
  readonly ok: boolean
  /** how many objects (including functions and typed arrays) the walk reached */
  readonly reached: number
  /** the writes that took effect, as paths (`trainer.model.layers[0].config.units`) */
  readonly accepted: ReadonlyArray<string>
  /** the first position where the observation differs, if any */
  readonly firstDifference?: { readonly index: number; readonly before: number; readonly after: number }
}

type Observation = Tensor | ReadonlyArray<Tensor> | ReadonlyArray<number>

const numbers = (o: Observation): number[] =>
  isTensor(o) ? Array.from(dataSync(o)) : (o as ReadonlyArray<Tensor | number>).flatMap((v) => (isTensor(v) ? Array.from(dataSync(v)) : [v]))

const isObj = (v: unknown): v is object => v !== null && (typeof v === 'object' || typeof v === 'function')

/** A value of the same kind as `v` but different from it. */
const other = (v: unknown): unknown => {
  switch (typeof v) {
    case 'number':
      return Number.isNaN(v) ? 0 : v + 1000
    case 'string':
      return `${v}!`
    case 'boolean':
      return !v
    case 'function':
      return () => {
        throw new Error('written from outside')
      }
    case 'undefined':
      return 1
    default:
      return Array.isArray(v) ? [] : {}
  }
}

const label = (path: string, k: PropertyKey): string => (typeof k === 'symbol' ? `${path}[${String(k)}]` : /^\d+$/.test(k as string) ? `${path}[${String(k)}]` : `${path}.${String(k)}`)

/** Getters of a class instance's prototypes (not Object's): `trainer.params`, `tensor.rank`, … */
const protoGetters = (o: object): Array<[string, () => unknown]> => {
  const out: Array<[string, () => unknown]> = []
  for (let p = Object.getPrototypeOf(o); p !== null && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p))
    for (const k of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k)
      if (d?.get !== undefined) out.push([k, d.get.bind(o) as () => unknown])
    }
  return out
}

/**
 * Try every write reachable from `roots` (see the module header) and check that `observe` gives the
 * same numbers before and after. `roots` names each root (its name starts the paths in the report).
 * @example
 * const x = tensor([[1, 2, 3]])
 * const report = await writesCannotChange({ model, weights: model.getWeights() }, () => model.predict(x))
 * expect(report.ok).toBe(true)
 */
export const writesCannotChange = async (
  roots: { readonly [name: string]: unknown },
  observe: () => Observation | Promise<Observation>,
  options: { readonly maxObjects?: number } = {}
): Promise<WriteProbeReport> => {
  const maxObjects = options.maxObjects ?? 200_000
  const before = numbers(await observe())
  // 1. the walk: every reachable object once, with the first path that reached it
  const paths = new Map<object, string>()
  const queue: object[] = []
  const reach = (v: unknown, path: string): void => {
    if (!isObj(v) || paths.has(v) || paths.size >= maxObjects) return
    paths.set(v, path)
    queue.push(v)
  }
  for (const [name, v] of Object.entries(roots)) reach(v, name)
  for (let i = 0; i < queue.length; i++) {
    const o = queue[i]
    const path = paths.get(o) as string
    if (ArrayBuffer.isView(o)) continue
    if (o instanceof Map) o.forEach((v, k) => (reach(k, `${path}.key`), reach(v, `${path}.get(${String(k)})`)))
    if (o instanceof Set) o.forEach((v) => reach(v, `${path}.member`))
    for (const k of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k)
      if (d === undefined) continue
      if ('value' in d) reach(d.value, label(path, k))
      else if (d.get !== undefined)
        try {
          reach(d.get.call(o), label(path, k))
        } catch {
          /* a getter that throws gives nothing to write */
        }
    }
    if (typeof o === 'object' && !Array.isArray(o))
      for (const [k, get] of protoGetters(o))
        try {
          reach(get(), `${path}.${k}`)
        } catch {
          /* as above */
        }
  }
  // 2. the writes, after the walk (a write must not hide what lies behind it)
  const accepted: string[] = []
  const attempt = (what: string, f: () => boolean): void => {
    try {
      if (f()) accepted.push(what)
    } catch {
      /* refused: frozen, read-only, private */
    }
  }
  for (const o of queue) {
    const path = paths.get(o) as string
    if (ArrayBuffer.isView(o)) {
      const a = o as unknown as { length: number; [i: number]: number | bigint }
      if (a.length > 0)
        attempt(`${path}[0]`, () => {
          const was = a[0]
          a[0] = typeof was === 'bigint' ? was + 1n : was === 0 ? 1000 : -(was as number) * 3 + 1
          return a[0] !== was
        })
      continue
    }
    if (o instanceof Map || o instanceof Set) attempt(`${path}.clear()`, () => (o.size > 0 ? (o.clear(), o.size === 0) : false))
    for (const k of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k)
      if (d === undefined || !('value' in d)) continue
      attempt(label(path, k), () => {
        const v = other(d.value)
        return Reflect.set(o, k, v) && (o as Record<PropertyKey, unknown>)[k] === v
      })
      attempt(`delete ${label(path, k)}`, () => Reflect.deleteProperty(o, k) && !Object.prototype.hasOwnProperty.call(o, k))
    }
    if (Array.isArray(o)) attempt(`${path}.push`, () => o.push(undefined) > 0)
  }
  // 3. the observation again
  const after = numbers(await observe())
  let firstDifference: WriteProbeReport['firstDifference']
  const n = Math.max(before.length, after.length)
  for (let i = 0; i < n && firstDifference === undefined; i++) if (!Object.is(before[i], after[i])) firstDifference = { index: i, before: before[i], after: after[i] }
  return { ok: firstDifference === undefined, reached: queue.length, accepted, ...(firstDifference ? { firstDifference } : {}) }
}
