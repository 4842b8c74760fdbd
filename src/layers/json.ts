/**
 * The JSON of layer configs (its own module, so that `Layer.ts` and `weights.ts` need not import
 * each other's types).
 *
 * @since 0.1.0
 */

/** Plain JSON, for layer configs. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

/** A layer config: a JSON record. */
export type Config = { readonly [k: string]: Json }
