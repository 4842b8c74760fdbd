/**
 * The public `Key` namespace: explicit, splittable random keys (`Key.key(seed)`, `Key.split(k, n)`).
 * `src/api/Key.ts` makes `Key` both this namespace and the type of keys (`const k: Key = key(0)`).
 * @since 0.1.0
 */
export { key, split, foldIn, isKey, type Key } from '../core/Key.js'
