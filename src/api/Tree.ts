/**
 * The public `Tree` namespace: parameters, gradients and optimizer state as trees of tensors.
 * @since 0.1.0
 */
export {
  map, zipWith, zipWith3, zipWithE, leaves, structure, unflatten, sameStructure, countValues,
  type Tree, type Structure, type MapLeaves
} from '../core/Tree.js'
