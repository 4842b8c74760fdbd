/**
 * Errors as data. Every failure in tensorfold is a `_tag`ged value carrying what was expected, what came
 * and where. The functional surface returns them in `Either`; the notebook surface throws a
 * `TensorfoldError`, an `Error` subclass carrying the same `_tag` and data.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { TfErrorTag } from '../errors.js'

/**
 * A tagged error value: `_tag` names the kind, `message` reads well, the rest is the data involved.
 * `_tag` is a closed union: every tag tensorfold raises ({@link TfErrorTag}, the module lists of
 * src/errors.ts), or the narrower union `Tag` a function declares (`TfError<TrainErrorTag>`), so a
 * `switch (e._tag)` is checked for exhaustiveness by the compiler.
 */
export interface TfError<Tag extends TfErrorTag = TfErrorTag> {
  readonly _tag: Tag
  readonly message: string
  readonly [key: string]: unknown
}

/** Build a tagged error value. @example tfError('ShapeMismatch', 'add: ...', { op: 'add' }) */
export const tfError = <Tag extends TfErrorTag, D extends Record<string, unknown>>(
  tag: Tag,
  message: string,
  data?: D
): TfError<Tag> & D => ({ ...(data ?? ({} as D)), _tag: tag, message })

/** The thrown form of a {@link TfError}: same `_tag`, same data, readable message. */
export class TensorfoldError extends Error {
  readonly _tag: TfErrorTag
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

/**
 * A function of the `Either` surface made total: a throw at any stage — the call, or the data-last
 * function it returns — becomes a tagged `Left`. The type is unchanged.
 */
export const totalE = <F extends (...a: never[]) => unknown>(f: F): F =>
  ((...a: unknown[]) => {
    try {
      const r = (f as unknown as (...a: unknown[]) => unknown)(...a)
      return typeof r === 'function' ? totalE(r as (...a: never[]) => unknown) : r
    } catch (err) {
      return E.left(toTfError(err))
    }
  }) as unknown as F

/**
 * A function of the `TaskEither` surface made total: a throw becomes a task of `Left`, a rejection a
 * `Left`; data-last stages and the task itself are guarded too. The type is unchanged.
 */
export const totalTE = <F extends (...a: never[]) => unknown>(f: F): F =>
  ((...a: unknown[]) => {
    try {
      const r = (f as unknown as (...a: unknown[]) => unknown)(...a)
      if (r instanceof Promise) return r.catch((err: unknown) => E.left(toTfError(err)))
      return typeof r === 'function' ? totalTE(r as (...a: never[]) => unknown) : r
    } catch (err) {
      const left = E.left(toTfError(err))
      // the task itself threw: answer as the task would; an earlier stage: answer with a task
      return a.length === 0 ? Promise.resolve(left) : () => Promise.resolve(left)
    }
  }) as unknown as F

/**
 * {@link totalE} held to a closed union: a throw, or a `Left`, at any stage (the call, or the data-last
 * function it returns) becomes a `Left` kept as it is when its tag is in `tags`, otherwise an
 * `InternalError` carrying it as `cause` (see {@link within}). The type is unchanged: `F` declares the union.
 * @example export const add = totalWithin(LAYER_RUN_TAGS)(S.add)
 */
export const totalWithin =
  <T extends TfErrorTag>(tags: ReadonlyArray<T>) =>
  <F extends (...a: never[]) => unknown>(f: F): F => {
    const hold = within(tags)
    const guard = (g: (...a: unknown[]) => unknown) =>
      (...a: unknown[]): unknown => {
        try {
          const r = g(...a)
          if (typeof r === 'function') return guard(r as (...a: unknown[]) => unknown)
          return typeof r === 'object' && r !== null && (r as { _tag?: unknown })._tag === 'Left' ? E.left(hold((r as E.Left<TfError>).left)) : r
        } catch (err) {
          return E.left(hold(toTfError(err)))
        }
      }
    return guard(f as unknown as (...a: unknown[]) => unknown) as unknown as F
  }

/** A throwing function made total: `attemptK(f)(...a)` is `attempt(() => f(...a))`. */
export const attemptK =
  <A extends ReadonlyArray<unknown>, R>(f: (...a: A) => R) =>
  (...a: A): E.Either<TfError, R> =>
    attempt(() => f(...a))

/**
 * {@link attempt} for a computation whose thrown errors belong to a closed union: a caught error whose tag
 * is in `tags` is kept as it is; anything else is a bug, returned as an `InternalError` carrying it as
 * `cause`. The result's type is then the union, checked at run time.
 * @example attemptOf(VALUE_ERROR_TAGS)(() => adam(opts)) // Either<ValueError, Optimizer>
 */
export const attemptOf =
  <T extends TfErrorTag>(tags: ReadonlyArray<T>) =>
  <A>(f: () => A): E.Either<TfError<T | 'InternalError'>, A> => {
    const r = attempt(f)
    return E.isRight(r) ? r : E.left(within(tags)(r.left))
  }

/**
 * An error seen at a module's boundary, as that module's closed union: kept as it is when its tag is in
 * `tags`, otherwise (a bug: a tag the module does not document) an `InternalError` carrying it as `cause`.
 * @example E.mapLeft(within(TRAIN_RUN_TAGS))(built) // Either<TrainError, Model>
 */
export const within =
  <T extends TfErrorTag>(tags: ReadonlyArray<T>) =>
  (e: TfError): TfError<T | 'InternalError'> =>
    isErrorOf(tags)(e) || e._tag === 'InternalError' ? (e as TfError<T | 'InternalError'>) : tfError('InternalError', `unexpected ${e._tag}: ${e.message}`, { cause: e })

/** Normalise anything thrown into a {@link TfError}. */
export const toTfError = (err: unknown): TfError => {
  if (err instanceof TensorfoldError) return err.data
  if (err instanceof Error) return tfError('InternalError', err.message, { cause: err })
  return tfError('InternalError', String(err))
}

/** Throw a tagged error now (for internal invariants and the throwing surface). */
export const fail = (tag: TfErrorTag, message: string, data?: Record<string, unknown>): never => {
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
export type ValueError = TfError<ValueErrorTag>

/**
 * A guard for a closed union of tags: `isErrorOf(TRAIN_ERROR_TAGS)(e)` narrows `e._tag` so a `switch`
 * over it can be exhaustive.
 * @example if (isErrorOf(VALUE_ERROR_TAGS)(e)) switch (e._tag) { case 'ShapeMismatch': … }
 */
export const isErrorOf =
  <T extends TfErrorTag>(tags: ReadonlyArray<T>) =>
  (e: TfError): e is TfError<T> =>
    (tags as ReadonlyArray<string>).includes(e._tag)
