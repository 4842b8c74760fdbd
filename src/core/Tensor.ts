/**
 * The immutable `Tensor` value and its constructors.
 *
 * A tensor is a shape, a dtype and a flat row-major buffer that nobody writes after creation. Inside a
 * differentiated function a tensor may instead be a *tracer*: the same value plus the tag of the trace
 * that watches it (see `src/primitives/bind.ts`). Users never see the difference: every op and every
 * reader (`toArray`, `dataSync`) accepts both.
 *
 * Laws: `toArray(tensor(x)) = x` for rectangular nested arrays of float32-representable numbers;
 * `shape(tensor(x, s)) = s`; no function here mutates its arguments.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { tfError, type TfError, orThrow, show } from './errors.js'
import { type Shape, size as shapeSize, isShape } from './Shape.js'
import { activeRecorder } from './recorder.js'
import { formatTensor } from './format.js'
import { freeze } from './frozen.js'
import { unfilledFloats } from '#platform'

/** Element types. float32 everywhere; int32 only for indices (gather, argmax, oneHot). */
export type DType = 'float32' | 'int32'

/** Float storage: Float32Array normally, Float64Array under the float64 reference backend. */
export type FloatBuffer = Float32Array | Float64Array
/** Any tensor storage. */
export type Buffer = FloatBuffer | Int32Array

/** @internal The trace slot of a tracer: which trace watches it, its value one level down, its node. */
export interface TraceSlot {
  readonly tag: number
  readonly primal: Tensor
  readonly node: unknown
}

/** A nested array of numbers: the plain-JavaScript form of a tensor. */
export type NestedArray = number | ReadonlyArray<NestedArray>

let floatStorage: 'float32' | 'float64' = 'float32'
/** @internal Set by the backend module: which float storage new tensors get. */
export const setFloatStorage = (s: 'float32' | 'float64'): void => {
  floatStorage = s
}
/** @internal The float storage new tensors get now. */
export const currentFloatStorage = (): 'float32' | 'float64' => floatStorage

/** @internal Allocate a float buffer in the current storage. */
export const allocFloat = (n: number): FloatBuffer => (floatStorage === 'float64' ? new Float64Array(n) : new Float32Array(n))

// Filled in by Tensor's static block: the only way to the storage of a tensor (a private field).
let readStorage: (t: Tensor) => Buffer | undefined

/**
 * Placeholder storage: what a primitive's result holds while compiled mode records a function with
 * shapes only (`compile/record.ts`, `recordShapes`): the right type and length, never computed, never
 * to be read. A host read of one is refused (see {@link bufferOf}) and the recording is then redone
 * with values.
 */
const placeholders = new WeakSet<Buffer>()
let placeholderReads = 0

/** @internal Storage of `n` elements that stands for a value not computed (a shape-only recording). */
export const placeholderBuffer = (dtype: DType, n: number): Buffer => {
  const b = dtype === 'int32' ? new Int32Array(n) : allocFloat(n)
  placeholders.add(b)
  return b
}
/** @internal How many host reads of a placeholder have been refused so far (a recording compares two counts). */
export const placeholderReadCount = (): number => placeholderReads

/** @internal What a host read of a placeholder throws: the shape-only recording cannot go on. */
export class PlaceholderRead extends Error {
  constructor() {
    super('internal: a value was read back to the host during a shape-only recording')
    this.name = 'PlaceholderRead'
  }
}

/**
 * An immutable n-dimensional array. Create with {@link tensor}, {@link zeros}, {@link ones}, … and read
 * with {@link toArray} / {@link dataSync} (copies). Never mutated; no `dispose`.
 *
 * The storage is a private field: no public name reaches it, so nothing outside the library can write
 * a tensor's values (the library shares buffers between tensors and never writes them after creation).
 */
export class Tensor {
  readonly shape: Shape
  readonly dtype: DType
  readonly size: number
  /** flat row-major storage (concrete tensors only); unreachable from outside this class */
  readonly #data: Buffer | undefined
  /** @internal trace slot (tracers only) */
  readonly trace: TraceSlot | undefined

  static {
    readStorage = (t) => t.#data
  }

  /** @internal use the constructors. */
  constructor(shape: Shape, dtype: DType, data: Buffer | undefined, trace: TraceSlot | undefined) {
    this.shape = Object.freeze(shape.slice())
    this.dtype = dtype
    this.size = shapeSize(shape)
    this.#data = data
    this.trace = trace
    Object.freeze(this)
  }
  /** Rank (number of axes). */
  get rank(): number {
    return this.shape.length
  }
  /** Nested plain numbers. Same as {@link toArray}. */
  toArray(): NestedArray {
    return toArray(this)
  }
  /** A Float32Array copy of the values. Same as {@link dataSync}. */
  dataSync(): Float32Array {
    return dataSync(this)
  }
  /** The single number of a one-element tensor. */
  item(): number {
    return item(this)
  }
  /** The shape, dtype and values, abbreviated as NumPy does past 1000 values (see `core/format.ts`). */
  toString(): string {
    // a placeholder (shape-only recording) shows as a tracer does: shape and dtype, no values
    const data = this.#data
    return formatTensor({ shape: this.shape, dtype: this.dtype, values: this.trace !== undefined || (data !== undefined && placeholders.has(data)) ? undefined : data })
  }
  /** Node's `util.inspect` (console.log, the REPL, tslab): the same display as `toString`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
  /** fast-check's `fc.stringify` (counterexamples): the same display as `toString`. */
  [Symbol.for('fast-check/toStringMethod')](): string {
    return this.toString()
  }
}

/** Whether a value is a Tensor (concrete or traced). */
export const isTensor = (u: unknown): u is Tensor => u instanceof Tensor

/** @internal The concrete tensor under any number of trace levels. */
export const concrete = (t: Tensor): Tensor => {
  let c = t
  while (c.trace !== undefined) c = c.trace.primal
  return c
}

/**
 * @internal The storage of a concrete tensor (undefined for a tracer), shared and never to be written.
 * Library code only: it is not exported from the package.
 */
export const storageOf = (t: Tensor): Buffer | undefined => readStorage(t)

/** @internal The storage of a tensor's concrete value, as read by the host. */
export const bufferOf = (t: Tensor): Buffer => {
  const c = concrete(t)
  // the active recorder (compiled mode) refuses to bake a value read back to the host into a plan
  activeRecorder()?.hostRead?.(c)
  const data = readStorage(c) as Buffer
  if (placeholders.has(data)) {
    placeholderReads++
    throw new PlaceholderRead()
  }
  return data
}

/** @internal Wrap an owned buffer (never copied, never written again). */
export const fromBuffer = (data: Buffer, shape: Shape, dtype: DType = data instanceof Int32Array ? 'int32' : 'float32'): Tensor =>
  new Tensor(shape, dtype, data, undefined)

/** The most elements a tensor may have (a typed array's limit). */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1
/** The most axes a tensor made from nested arrays may have. */
export const MAX_NESTING = 64

const tooLarge = (op: string, shape: ReadonlyArray<number>, why: string): TfError =>
  tfError('ResourceLimit', `${op}: ${why}`, { op, path: 'shape', expected: `at most ${MAX_TENSOR_ELEMENTS} elements and ${MAX_NESTING} axes`, received: shape.length > 8 ? `${shape.length} axes` : shape })

/**
 * @internal Run `f`, which allocates the storage of a tensor shaped `shape`, as a `ResourceLimit` naming
 * the shape and the limit when the shape is past {@link MAX_TENSOR_ELEMENTS} or the memory is not there
 * (a RangeError), never the RangeError itself.
 */
export const withinLimits = <A>(op: string, shape: ReadonlyArray<number>, f: () => A): E.Either<TfError, A> => {
  const n = shapeSize(shape)
  if (!(n <= MAX_TENSOR_ELEMENTS)) return E.left(tooLarge(op, shape, `shape ${show(shape)} has ${n} elements, more than the limit of ${MAX_TENSOR_ELEMENTS}`))
  try {
    return E.right(f())
  } catch (err) {
    if (!(err instanceof RangeError)) throw err
    return E.left(tooLarge(op, shape, `shape ${show(shape)} (${n} elements) could not be allocated (${err.message})`))
  }
}
/** @internal {@link withinLimits} on the throwing side: the `ResourceLimit` thrown as a TensorfoldError. */
export const allocating = <A>(op: string, shape: ReadonlyArray<number>, f: () => A): A => orThrow(withinLimits(op, shape, f))

/** Allocate storage for a shape, or a `ResourceLimit` naming the shape and the limit (never a RangeError). */
const allocFor = (op: string, shape: ReadonlyArray<number>, dtype: DType): E.Either<TfError, FloatBuffer | Int32Array> =>
  withinLimits(op, shape, () => (dtype === 'int32' ? new Int32Array(shapeSize(shape)) : allocFloat(shapeSize(shape))))

const invalid = (op: string, expected: string, received: unknown, path = ''): TfError =>
  tfError('InvalidArgument', `${op}: expected ${expected}${path ? ` at ${path}` : ''}, received ${show(received)}`, {
    op,
    path,
    expected,
    received
  })

const inferShape = (op: string, v: unknown): E.Either<TfError, number[]> => {
  const shape: number[] = []
  let cur: unknown = v
  while (Array.isArray(cur)) {
    shape.push(cur.length)
    if (cur.length === 0) break
    cur = cur[0]
  }
  if (!Array.isArray(cur) && typeof cur !== 'number' && shape.length === 0)
    return E.left(invalid(op, 'a number, a nested array of numbers or a typed array', v))
  return E.right(shape)
}

const flattenInto = (op: string, v: unknown, shape: Shape, depth: number, out: FloatBuffer | Int32Array, pos: { i: number }, path: string): TfError | undefined => {
  if (depth === shape.length) {
    if (typeof v !== 'number') return invalid(op, 'a number', v, path || '[]')
    out[pos.i++] = v
    return undefined
  }
  if (!Array.isArray(v) || v.length !== shape[depth])
    return tfError(
      'RaggedArray',
      `${op}: ragged nested array: expected ${Array.isArray(v) ? `length ${shape[depth]}` : `an array of length ${shape[depth]}`} at ${path || '[]'}, received ${Array.isArray(v) ? `length ${v.length}` : show(v)}`,
      { op, path: path || '[]', expected: shape[depth], received: Array.isArray(v) ? v.length : v }
    )
  for (let i = 0; i < v.length; i++) {
    const e = flattenInto(op, v[i], shape, depth + 1, out, pos, `${path}[${i}]`)
    if (e) return e
  }
  return undefined
}

/**
 * Make a tensor from a number, a nested array or a typed array (with an optional shape), as `Either`.
 * @example fromValues([[1, 2], [3, 4]]) // Right(Tensor[2, 2])
 */
export const fromValues = (values: unknown, shape?: unknown, dtype: DType = 'float32'): E.Either<TfError, Tensor> => {
  const op = 'tensor'
  if (dtype !== 'float32' && dtype !== 'int32') return E.left(invalid(op, "dtype 'float32' or 'int32'", dtype, 'dtype'))
  if (shape !== undefined && !isShape(shape)) return E.left(invalid(op, 'a shape (array of non-negative integers)', shape, 'shape'))
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const arr = values as unknown as ArrayLike<number>
    const s: Shape = shape ?? [arr.length]
    if (shapeSize(s) !== arr.length)
      return E.left(
        tfError('ShapeMismatch', `${op}: shape ${show(s)} needs ${shapeSize(s)} values, received ${arr.length}`, {
          op,
          expected: shapeSize(s),
          actual: arr.length
        })
      )
    const alloc = allocFor(op, s, dtype)
    if (E.isLeft(alloc)) return alloc
    const out = alloc.right
    for (let i = 0; i < arr.length; i++) out[i] = Number(arr[i])
    // a copy only this tensor holds: its contents will not change (frozen.ts)
    return E.right(fromBuffer(freeze(out), s, dtype))
  }
  const inferred = inferShape(op, values)
  if (E.isLeft(inferred)) return inferred
  if (inferred.right.length > MAX_NESTING) return E.left(tooLarge(op, inferred.right, `nested arrays ${inferred.right.length} deep, more than the limit of ${MAX_NESTING} axes`))
  const n = shapeSize(inferred.right)
  const alloc = allocFor(op, inferred.right, dtype)
  if (E.isLeft(alloc)) return alloc
  const out = alloc.right
  const err = flattenInto(op, values, inferred.right, 0, out, { i: 0 }, '')
  if (err) return E.left(err)
  if (shape !== undefined) {
    if (shapeSize(shape) !== n)
      return E.left(
        tfError('ShapeMismatch', `${op}: shape ${show(shape)} needs ${shapeSize(shape)} values, received ${n}`, {
          op,
          expected: shapeSize(shape),
          actual: n
        })
      )
    return E.right(fromBuffer(freeze(out), shape, dtype))
  }
  return E.right(fromBuffer(freeze(out), inferred.right, dtype))
}

/**
 * Make a tensor; throws a `TensorfoldError` on ragged or non-numeric input.
 * @example tensor([[1, 2], [3, 4]]); tensor(new Float32Array(6), [2, 3])
 */
export const tensor = (values: NestedArray | ArrayLike<number> | Float32Array | Float64Array | Int32Array, shape?: Shape, dtype: DType = 'float32'): Tensor =>
  orThrow(fromValues(values, shape, dtype))

const checked = (op: string, shape: unknown): Shape => {
  if (!isShape(shape)) return orThrow(E.left(invalid(op, 'a shape (array of non-negative integers)', shape, 'shape')))
  return shape
}

/** A tensor of one value everywhere. @example fill([2, 2], 7) */
export const fill = (shape: Shape, value: number, dtype: DType = 'float32'): Tensor => {
  const s = checked('fill', shape)
  if (typeof value !== 'number') return orThrow(E.left(invalid('fill', 'a number', value, 'value')))
  const buf = orThrow(allocFor('fill', s, dtype))
  buf.fill(value)
  return fromBuffer(buf, s, dtype)
}
/** Zeros. @example zeros([3]) */
export const zeros = (shape: Shape, dtype: DType = 'float32'): Tensor => fill(shape, 0, dtype)
/** Ones. @example ones([2, 3]) */
export const ones = (shape: Shape, dtype: DType = 'float32'): Tensor => fill(shape, 1, dtype)
/** A rank-0 tensor. @example scalar(3) */
export const scalar = (value: number, dtype: DType = 'float32'): Tensor => {
  if (typeof value !== 'number') return orThrow(E.left(invalid('scalar', 'a number', value)))
  return fill([], value, dtype)
}
/** `[start, start+step, …)` below `stop`. @example range(0, 5) // [0, 1, 2, 3, 4] */
export const range = (start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor => {
  const [a, b] = stop === undefined ? [0, start] : [start, stop]
  if (![a, b, step].every((v) => typeof v === 'number' && Number.isFinite(v)) || step === 0)
    return orThrow(E.left(invalid('range', 'finite numbers and a non-zero step', { start: a, stop: b, step })))
  const n = Math.max(0, Math.ceil((b - a) / step))
  const buf = dtype === 'int32' ? new Int32Array(n) : allocFloat(n)
  for (let i = 0; i < n; i++) buf[i] = a + i * step
  return fromBuffer(buf, [n], dtype)
}

/** Nested plain numbers (a number for a scalar). */
export const toArray = (t: Tensor): NestedArray => {
  const data = bufferOf(t)
  const shape = t.shape
  if (shape.length === 0) return data[0]
  const build = (depth: number, offset: number): NestedArray => {
    const n = shape[depth]
    if (depth === shape.length - 1) return Array.from(data.subarray(offset, offset + n))
    const stride = shapeSize(shape.slice(depth + 1))
    const out: NestedArray[] = new Array(n)
    for (let i = 0; i < n; i++) out[i] = build(depth + 1, offset + i * stride)
    return out
  }
  return build(0, 0)
}
/**
 * A Float32Array copy of the values, row-major. An int32 tensor holding a value float32 cannot represent
 * exactly (past ±2^24, e.g. an `argmax` index into a 2^24 + 5 element tensor) is refused with an
 * `InvalidArgument` naming the first such value: read it with {@link toArray}, which is exact.
 */
export const dataSync = (t: Tensor): Float32Array => {
  const data = bufferOf(t)
  if (t.dtype === 'int32') {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]
      if (v > 16777216 || v < -16777216)
        return orThrow(E.left(invalid('dataSync', 'int32 values float32 can hold exactly (|v| <= 2^24; read larger ones with toArray)', v, `[${i}]`)))
    }
  }
  const out = unfilledFloats(data.length)
  out.set(data)
  return out
}
/** @internal A Float64Array copy of the values (full precision under the reference backend). */
export const dataF64 = (t: Tensor): Float64Array => Float64Array.from(bufferOf(t))
/** The shape of a tensor. */
export const shape = (t: Tensor): Shape => t.shape
/** The single value of a one-element tensor. */
export const item = (t: Tensor): number => {
  if (t.size !== 1) return orThrow(E.left(invalid('item', 'a tensor with one element', `Tensor${show(t.shape)}`)))
  return bufferOf(t)[0]
}
