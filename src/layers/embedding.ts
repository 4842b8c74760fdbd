/**
 * The layers that start a sequence model: `embedding` (integer indices to dense vectors, with an
 * optional mask for index 0) and `masking` (skip the time steps whose features all equal a value). The
 * masks they emit are read by the recurrent layers (`recurrent.ts`) and the losses (see `mask.ts`).
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Tensor } from '../core/Tensor.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { mul, compare, reshape, gather, cast, sum as sumP } from '../primitives/index.js'
import { type Layer, type BaseOptions, type Empty, makeLayer, shapeErr, showShape, checkOptions } from './Layer.js'
import * as I from './initializers.js'
import { weightOptions, type RegularizerLike, type ConstraintLike } from './weights.js'
import { withMask } from './mask.js'

const none: Empty = Object.freeze({})

const invalid = (where: string, expected: string, received: unknown): E.Either<TfError, never> =>
  E.left(tfError('InvalidOption', `${where}: expected ${expected}, received ${show(received)}`, { path: where, expected, received }))

const posInt = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0

/** Params of an embedding: the table `[inputDim, outputDim]`. */
export type EmbeddingParams = { readonly embeddings: Tensor }

/** Options of {@link embedding}. */
export interface EmbeddingOptions extends BaseOptions {
  /** index 0 is padding: the layer emits a mask (`index ≠ 0`) that recurrent layers and losses follow */
  readonly maskZero?: boolean
  readonly embeddingsInitializer?: I.InitializerLike
  /** a penalty on the table, added to the training loss (Keras's `embeddings_regularizer`) */
  readonly embeddingsRegularizer?: RegularizerLike
  /** a projection applied to the table after each update (Keras's `embeddings_constraint`) */
  readonly embeddingsConstraint?: ConstraintLike
  /** a penalty on the layer's output, per sample (Keras's `activity_regularizer`) */
  readonly activityRegularizer?: RegularizerLike
  /** Keras's `input_length` (accepted; the sequence length is read from the input) */
  readonly inputLength?: number
}

/** `embedding` as `Either`. */
export const embeddingE = (inputDim: number, outputDim: number, opts: EmbeddingOptions = {}): E.Either<TfError, Layer<EmbeddingParams>> => {
  const known = checkOptions('embedding', opts, ['maskZero', 'embeddingsInitializer', 'inputLength', 'embeddingsRegularizer', 'embeddingsConstraint', 'activityRegularizer'])
  if (E.isLeft(known)) return known
  const w = weightOptions('embedding', opts, { embeddings: 'embeddings' })
  if (E.isLeft(w)) return w
  if (!posInt(inputDim)) return invalid('embedding.inputDim', 'a positive integer', inputDim)
  if (!posInt(outputDim)) return invalid('embedding.outputDim', 'a positive integer', outputDim)
  const maskZero = opts.maskZero === true
  return pipe(
    I.resolve('embedding.embeddingsInitializer', opts.embeddingsInitializer, () => I.randomUniform()),
    E.map((ei) =>
      withMask(
        makeLayer<EmbeddingParams, Empty>(
          'Embedding',
          { inputDim, outputDim, maskZero, embeddingsInitializer: I.toJson(ei), inputLength: opts.inputLength, ...w.right.config },
          opts,
          (key, s) => E.right({ params: Object.freeze({ embeddings: ei.init(key, [inputDim, outputDim]) }), state: none, outputShape: Object.freeze([...s, outputDim]) }),
          (p) => (x) => {
            // Keras casts the indices to int32; gather checks every index is in [0, inputDim)
            const idx = x.dtype === 'int32' ? x : cast(x, 'int32')
            const flat = gather(p.embeddings, reshape(idx, [-1]), 0)
            return { y: reshape(flat, [...x.shape, outputDim]), state: none }
          },
          w.right
        ),
        maskZero ? (x) => cast(compare(x, 0, 'ne'), 'float32') : undefined
      )
    )
  )
}
/**
 * Turns integer indices into dense vectors: `[batch, …]` -> `[batch, …, outputDim]` (a gather from
 * the table; its gradient a scatter-add). @example embedding(1000, 16, { maskZero: true })
 */
export const embedding = (inputDim: number, outputDim: number, opts: EmbeddingOptions = {}): Layer<EmbeddingParams> => orThrow(embeddingE(inputDim, outputDim, opts))

// ---------------------------------------------------------------------------------------------------
// masking

/** `masking` as `Either`. */
export const maskingE = (maskValue = 0, opts: BaseOptions = {}): E.Either<TfError, Layer<Empty>> =>
  typeof maskValue !== 'number' || Number.isNaN(maskValue)
    ? invalid('masking.maskValue', 'a number', maskValue)
    : E.map(() =>
        withMask(
          makeLayer<Empty, Empty>(
            'Masking',
            { maskValue },
            opts,
            (_k, s) => (s.length < 3 ? shapeErr('masking', `expected an input of rank ≥ 3 [batch, time, …], received ${showShape(s)}`, 'rank >= 3', s) : E.right({ params: none, state: none, outputShape: s })),
            () => (x) => ({ y: mul(x, reshape(stepMask(x, maskValue), [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)])), state: none })
          ),
          (x) => stepMask(x, maskValue)
        )
      )(checkOptions('masking', opts, []))
/**
 * Masks the time steps whose features all equal `maskValue` (default 0): they are zeroed, and the
 * layers after it (recurrent layers, losses) skip them. @example masking(0, { inputShape: [null, 3] })
 */
export const masking = (maskValue = 0, opts: BaseOptions = {}): Layer<Empty> => orThrow(maskingE(maskValue, opts))

/** 1 where some feature of step `[b, t]` differs from `v`, else 0. */
const stepMask = (x: Tensor, v: number): Tensor => {
  const ne = cast(compare(x, v, 'ne'), 'float32')
  const n = sumP(reshape(ne, [x.shape[0], x.shape[1], -1]), [2])
  return cast(compare(n, 0, 'gt'), 'float32')
}
