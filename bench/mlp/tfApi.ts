/**
 * tensorfold's Keras-style training API, reached structurally: `sequential([dense…])`, then
 * `model.compile(options)` / `withTraining(model).compile(options)` / `compileOrThrow(model, options)` /
 * `compile(model, options)` (an `Either`), giving a trainer with
 * `fit(x, y, opts)` and `predict(x)`. Written against the documented shape (README.md,
 * src/train/callbacks/Callback.ts) rather than named imports, so the bench type-checks whichever of
 * these exports exist; a missing piece throws an Error that names it.
 */
import * as tfAll from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { MLP } from '../config.js'

/** A `fit` callback value (src/train/callbacks/Callback.ts): state lives in the fold (`init`), hooks get `(state, event)`. */
export interface CallbackLike {
  readonly name: string
  init(info: unknown): null
  onEpochBegin?(s: null, e: unknown): void
  onTrainBatchEnd?(s: null, e: unknown): { stop: boolean } | void
  onEpochEnd?(s: null, e: unknown): void
}
export interface FitOpts {
  batchSize: number
  epochs: number
  shuffle?: boolean
  verbose?: 0 | 1 | 2
  callbacks?: ReadonlyArray<CallbackLike>
}
export interface FitResultLike {
  readonly trainer: TrainerLike
  readonly history: { readonly history?: Record<string, ReadonlyArray<number>> } & Record<string, unknown>
}
export interface TrainerLike {
  fit(x: Tensor, y: Tensor, o: FitOpts): Promise<FitResultLike> | FitResultLike
  predict?(x: Tensor, o?: { batchSize?: number; verbose?: 0 | 1 | 2 }): Tensor | ReadonlyArray<Tensor> | Promise<Tensor | ReadonlyArray<Tensor>>
}
interface CompileOpts {
  optimizer: unknown
  loss: string
  runEagerly?: boolean
}
interface ModelLike {
  compile?(o: CompileOpts): TrainerLike
}
type EitherLike<A> = { readonly _tag: 'Left'; readonly left: { readonly message?: string } } | { readonly _tag: 'Right'; readonly right: A }
interface TrainingApi {
  sequential(layers: ReadonlyArray<unknown>): ModelLike
  dense(units: number, o?: { inputShape?: ReadonlyArray<number>; activation?: string }): unknown
  compile?: (model: ModelLike, o: CompileOpts) => EitherLike<TrainerLike> | TrainerLike
  compileOrThrow?: (model: ModelLike, o: CompileOpts) => TrainerLike
  withTraining?: (model: ModelLike) => ModelLike
  adam?: (o?: { learningRate?: number }) => unknown
}

const isEither = <A>(u: unknown): u is EitherLike<A> => typeof u === 'object' && u !== null && ((u as { _tag?: unknown })._tag === 'Left' || (u as { _tag?: unknown })._tag === 'Right')

/** What the API offers now (for the report). */
export const describeApi = (): Record<string, boolean> => {
  const api = tfAll as unknown as Record<string, unknown>
  return Object.fromEntries(['sequential', 'dense', 'withTraining', 'compileOrThrow', 'compile', 'adam'].map((k) => [k, typeof api[k] === 'function']))
}

/**
 * The MLP `dims` (relu, relu, softmax) compiled with Adam 1e-3 and categorical cross-entropy. Throws
 * when the API is not there yet. `optimizer` says what was passed.
 */
export const buildTrainer = (dims: ReadonlyArray<number>, runEagerly: boolean): { trainer: TrainerLike; optimizer: string } => {
  const api = tfAll as unknown as Partial<TrainingApi>
  const missing = (['sequential', 'dense'] as const).filter((k) => typeof api[k] !== 'function')
  if (missing.length > 0) throw new Error(`tensorfold training API not available: src/index.ts does not export ${missing.join(', ')} yet`)
  const { sequential, dense } = api as TrainingApi
  const [d0, d1, d2, d3] = dims
  const model = sequential([dense(d1, { inputShape: [d0], activation: 'relu' }), dense(d2, { activation: 'relu' }), dense(d3, { activation: 'softmax' })])
  const useFactory = typeof api.adam === 'function'
  const opts: CompileOpts = { optimizer: useFactory ? api.adam!({ learningRate: MLP.lr }) : 'adam', loss: 'categoricalCrossentropy', runEagerly }
  const optimizer = useFactory ? 'adam({learningRate: 1e-3})' : "'adam' (its default learning rate)"
  // model.compile(opts) (documented), withTraining(model).compile(opts), compileOrThrow(model, opts), compile(model, opts) → Either
  if (typeof model.compile === 'function') return { trainer: model.compile(opts), optimizer }
  if (typeof api.withTraining === 'function') {
    const m = api.withTraining(model)
    if (typeof m.compile === 'function') return { trainer: m.compile(opts), optimizer }
  }
  if (typeof api.compileOrThrow === 'function') return { trainer: api.compileOrThrow(model, opts), optimizer }
  if (typeof api.compile === 'function') {
    const t = api.compile(model, opts)
    if (!isEither<TrainerLike>(t)) return { trainer: t, optimizer }
    if (t._tag === 'Left') throw new Error(`tensorfold compile failed: ${t.left.message ?? JSON.stringify(t.left)}`)
    return { trainer: t.right, optimizer }
  }
  throw new Error('tensorfold training API not available: the model has no compile() method and src/index.ts does not export compile yet')
}

/** `trainer.predict(x)` as one tensor (first output). */
export const predictOne = async (trainer: TrainerLike, x: Tensor): Promise<Tensor> => {
  if (typeof trainer.predict !== 'function') throw new Error('tensorfold: the trainer has no predict()')
  const out = await trainer.predict(x, { batchSize: 1000, verbose: 0 })
  return Array.isArray(out) ? (out as ReadonlyArray<Tensor>)[0] : (out as Tensor)
}
