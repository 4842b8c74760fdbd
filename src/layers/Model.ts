/**
 * The contract every model satisfies — `Sequential` and functional `Model` alike — so that training,
 * evaluation and saving never care which one they hold. A model is an immutable value: its weights
 * (`params`) and non-trainable state (`state`, e.g. batch-norm statistics) live in it, and every
 * change returns a new model.
 *
 * @since 0.1.0
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import type { Key } from '../core/Key.js'
import type { TfError } from '../core/errors.js'

/** A shape whose batch axis (first) may be unknown: `[null, 16]`. */
export type BatchShape = ReadonlyArray<number | null>

/** What a layer's `apply` receives besides its input: training or inference, and a random key. */
export interface Ctx {
  readonly training: boolean
  readonly key: Key
  /** the layer (or a model around it) is frozen: `batchNormalization` then runs in inference mode (Keras 2) */
  readonly frozen?: boolean
  /** the mask of the input (`[batch, time]`, 1 = real step), when the input carries one (see layers/mask.ts) */
  readonly mask?: Tensor
  /** a multi-input layer's input masks, one per input (`undefined` where an input has none); set only when one exists */
  readonly masks?: ReadonlyArray<Tensor | undefined>
}

/** A leaf of a model's `params`: where it is, and what training does with it. */
export interface ParamSpec {
  readonly name: string
  readonly path: ReadonlyArray<string | number>
  /** false: frozen (its layer, or a model around it, has `trainable: false`) */
  readonly trainable: boolean
  /** a penalty added to the loss */
  readonly regularizer?: { readonly penalty: (w: Tensor) => Tensor }
  /** a projection applied after each optimizer update */
  readonly constraint?: { readonly apply: (w: Tensor) => Tensor }
}

/** The model contract used by `train/` and `io/`. */
export interface ModelLike {
  readonly kind: 'Sequential' | 'Functional'
  readonly name: string
  /** whether weights exist */
  readonly built: boolean
  /** one batch shape per input (batch axis null); empty until known */
  readonly inputShapes: ReadonlyArray<BatchShape>
  /** one batch shape per output; empty until built */
  readonly outputShapes: ReadonlyArray<BatchShape>
  /** input names (functional: the `input({name})`s; sequential: one name) */
  readonly inputNames: ReadonlyArray<string>
  /** output names, made unique Keras-style (`out`, `out_1`) */
  readonly outputNames: ReadonlyArray<string>
  /** trainable weights as a tree (empty tree before build) */
  readonly params: Tree
  /** non-trainable state as a tree */
  readonly state: Tree
  /** the same model with other weights/state of the same structure (no checks beyond structure) */
  withWeights(params: Tree, state: Tree): ModelLike
  /** build for concrete input shapes if not built yet (returns itself when built) */
  ensureBuilt(inputShapes: ReadonlyArray<BatchShape>): E.Either<TfError, ModelLike>
  /** the leaves of `params` with their trainable flag, regularizer and constraint (absent: all trainable, none) */
  readonly paramSpecs?: ReadonlyArray<ParamSpec>
  /** the pure forward function: params and state in, outputs (one per output), new state and the layers' extra losses out */
  forward(params: Tree, state: Tree, inputs: ReadonlyArray<Tensor>, ctx: Ctx): { readonly outputs: ReadonlyArray<Tensor>; readonly state: Tree; readonly losses?: ReadonlyArray<Tensor>; readonly masks?: ReadonlyArray<Tensor | undefined> }
}
