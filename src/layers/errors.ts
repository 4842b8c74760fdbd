/**
 * The tags that `layers/` raises besides the tensor stack's: a closed list (see docs/errors.md). The
 * error values themselves are built by `errors` in `Layer.ts` (Keras's messages, as data).
 *
 * @since 0.2.0
 */
import type { TfError, ValueErrorTag } from '../core/errors.js'

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
  'CompileUnavailable'
] as const
/** A tag of `layers/`. */
export type LayerErrorTag = (typeof LAYER_ERROR_TAGS)[number]
/** An error of a layer or a model, matchable on `_tag`. */
export type LayerError = TfError & { readonly _tag: LayerErrorTag | ValueErrorTag }
