/**
 * Errors as data. Every failure in tensorfold is a `_tag`ged value carrying what was expected, what came
 * and where. The functional surface returns them in `Either`; the notebook surface throws a
 * `TensorfoldError`, an `Error` subclass carrying the same `_tag` and data.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'

/** A tagged error value: `_tag` names the kind, `message` reads well, the rest is the data involved. */
export interface TfError {
  readonly _tag: string
  readonly message: string
  readonly [key: string]: unknown
}

/** Build a tagged error value. @example tfError('ShapeMismatch', 'add: ...', { op: 'add' }) */
export const tfError = <Tag extends string, D extends Record<string, unknown>>(
  tag: Tag,
  message: string,
  data?: D
): TfError & { readonly _tag: Tag } & D => ({ ...(data ?? ({} as D)), _tag: tag, message })

/** The thrown form of a {@link TfError}: same `_tag`, same data, readable message. */
export class TensorfoldError extends Error {
  readonly _tag: string
  readonly data: TfError
  constructor(e: TfError) {
    super(e.message)
    this.name = `TensorfoldError(${e._tag})`
    this._tag = e._tag
    this.data = e
  }
}

/** Throw the error of a `Left`, return the value of a `Right`. The notebook surface is built on this. */
export const orThrow = <A>(e: E.Either<TfError, A>): A => {
  if (E.isLeft(e)) throw new TensorfoldError(e.left)
  return e.right
}

/** Turn a throwing computation into an `Either`, keeping tagged errors as they are. */
export const attempt = <A>(f: () => A): E.Either<TfError, A> => {
  try {
    return E.right(f())
  } catch (err) {
    return E.left(toTfError(err))
  }
}

/** A throwing function made total: `attemptK(f)(...a)` is `attempt(() => f(...a))`. */
export const attemptK =
  <A extends ReadonlyArray<unknown>, R>(f: (...a: A) => R) =>
  (...a: A): E.Either<TfError, R> =>
    attempt(() => f(...a))

/** Normalise anything thrown into a {@link TfError}. */
export const toTfError = (err: unknown): TfError => {
  if (err instanceof TensorfoldError) return err.data
  if (err instanceof Error) return tfError('InternalError', err.message, { cause: err })
  return tfError('InternalError', String(err))
}

/** Throw a tagged error now (for internal invariants and the throwing surface). */
export const fail = (tag: string, message: string, data?: Record<string, unknown>): never => {
  throw new TensorfoldError(tfError(tag, message, data))
}

/** Render any value briefly for an error message. */
export const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v)
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map(show).join(', ')
    return `[${items}${v.length > 8 ? ', …' : ''}]`
  }
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`
  if (typeof v === 'object') {
    const ctor = (v as object).constructor
    if (ctor && ctor !== Object) return ctor.name === 'Tensor' ? `Tensor${show((v as { shape: unknown }).shape)}` : `${ctor.name} {…}`
    const keys = Object.keys(v as object)
    return `{${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}}`
  }
  return typeof v
}

/**
 * The tags of the tensor stack (core, backend, primitives, ad, compile, ops): a closed list. Every
 * module may also raise these (a shape error inside a layer is a `ShapeMismatch`). See docs/errors.md.
 */
export const VALUE_ERROR_TAGS = [
  'InvalidArgument',
  'ShapeMismatch',
  'InvalidShape',
  'InvalidAxis',
  'RaggedArray',
  'StructureMismatch',
  'NotATree',
  'NotAScalar',
  'IndexOutOfRange',
  'BackendUnavailable',
  /** a shape or size past what can be allocated (names the shape and the limit) */
  'ResourceLimit',
  'InternalError'
] as const
/** A tag of the tensor stack. */
export type ValueErrorTag = (typeof VALUE_ERROR_TAGS)[number]
/** An error of the tensor stack, matchable on `_tag`. */
export type ValueError = TfError & { readonly _tag: ValueErrorTag }

/**
 * A guard for a closed union of tags: `isErrorOf(TRAIN_ERROR_TAGS)(e)` narrows `e._tag` so a `switch`
 * over it can be exhaustive.
 * @example if (isErrorOf(VALUE_ERROR_TAGS)(e)) switch (e._tag) { case 'ShapeMismatch': … }
 */
export const isErrorOf =
  <T extends string>(tags: ReadonlyArray<T>) =>
  (e: TfError): e is TfError & { readonly _tag: T } =>
    (tags as ReadonlyArray<string>).includes(e._tag)
