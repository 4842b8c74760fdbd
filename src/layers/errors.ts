/**
 * The tags that `layers/` raises besides the tensor stack's: a closed list (see docs/errors.md). The
 * error values themselves are built by `errors` in `Layer.ts` (Keras's messages, as data).
 *
 * @since 0.2.0
 */
import { within, totalWithin, VALUE_ERROR_TAGS, type TfError } from '../core/errors.js'

/** The tags of layers and models. */
export const LAYER_ERROR_TAGS = [
  'NotALayer',
  'DuplicateLayerName',
  'MultiOutputLayer',
  'IncompatibleInputShape',
  'EmptyModel',
  'MissingInputShape',
  'NotBuilt',
  'DisconnectedGraph',
  'InputAlreadySet',
  'LayerNotFound',
  'UnknownLayer',
  'DataCardinality',
  'WeightCountMismatch',
  'WeightShapeMismatch',
  'CompileUnavailable',
  /** a bad option or argument of a layer constructor, a model builder or `predict` (`path`, `expected`, `received`) */
  'InvalidOption',
  /** data that does not fit the model's inputs: their number, names, or a batch axis (`expected`, `received`) */
  'InvalidData'
] as const
/** A tag of `layers/`. */
export type LayerErrorTag = (typeof LAYER_ERROR_TAGS)[number]
/** Every tag a layer or model function can return: layers' own and the tensor stack's. */
export const LAYER_RUN_TAGS = [...LAYER_ERROR_TAGS, ...VALUE_ERROR_TAGS] as const
/** An error of a layer or a model, matchable on `_tag`. */
export type LayerError = TfError<(typeof LAYER_RUN_TAGS)[number]>

/** @internal An error from below (a custom layer's `init`, a user's function) at `layers/`'s boundary: see {@link within}. */
export const asLayerError: (e: TfError) => LayerError = within(LAYER_RUN_TAGS)

/**
 * @internal A function of the `Layer`, `Sequential` and `Model` namespaces made total and held to
 * {@link LayerError}: a throw or a `Left` at any stage (the call, or the data-last function it returns)
 * is a `Left` of the union, anything outside it an `InternalError`. The type is unchanged.
 */
export const layerSurface: <F extends (...a: never[]) => unknown>(f: F) => F = totalWithin(LAYER_RUN_TAGS)
