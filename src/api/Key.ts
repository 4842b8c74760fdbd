/**
 * The public `Key` namespace: explicit, splittable random keys (`Key.key(seed)`, `Key.split(k, n)`).
 * The key type is `Key` (this namespace's `Key.Key`, and the top-level type `Key`).
 * @since 0.1.0
 */
export { key, split, foldIn, isKey, type Key } from '../core/Key.js'
