/**
 * The `Key` name of the public barrel: both the namespace (`Key.split(k, 2)`) and the type of random
 * keys (`const k: Key = key(0)`), one name for one thing.
 * @since 0.1.0
 */
import type { Key as KeyValue } from '../core/Key.js'
import * as KeyNs from './KeyNs.js'

/**
 * Explicit, splittable random keys: `key`, `split`, `foldIn`, `isKey`.
 * @namespace
 */
export const Key = KeyNs
/** A random key (from `key(seed)`, `split`, `foldIn`). */
export type Key = KeyValue
