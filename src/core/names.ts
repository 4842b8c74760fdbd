/**
 * @internal Names and aliases of the losses and metrics `compile` accepts by name: the one table.
 *
 * Spellings are compared case-, `_`-, `-`- and space-insensitively ('MeanSquaredError',
 * 'mean-squared-error' and 'mse' are one loss). The losses and metrics modules list their canonical
 * names (the keys of their own tables); the short names and other spellings are here, once.
 *
 * @since 0.1.0
 */

/** @internal The other spellings of each canonical loss name. */
export const LOSS_ALIASES: Readonly<Record<string, ReadonlyArray<string>>> = {
  mean_squared_error: ['mse'],
  mean_absolute_error: ['mae'],
  mean_absolute_percentage_error: ['mape'],
  mean_squared_logarithmic_error: ['msle'],
  kl_divergence: ['kld', 'kullback_leibler_divergence'],
  huber: ['huber_loss'],
  log_cosh: ['logcosh']
}

/** @internal The other spellings of each canonical metric name. */
export const METRIC_ALIASES: Readonly<Record<string, ReadonlyArray<string>>> = {
  accuracy: ['acc'],
  crossentropy: ['ce'],
  mean_absolute_error: ['mae'],
  mean_squared_error: ['mse'],
  mean_absolute_percentage_error: ['mape'],
  mean_squared_logarithmic_error: ['msle'],
  kl_divergence: ['kld', 'kullback_leibler_divergence'],
  logcosh: ['logcosh_error'],
  top_k_categorical_accuracy: ['topk']
}

/** @internal A spelling with case, `_`, `-` and spaces removed. */
export const squash = (s: string): string => s.toLowerCase().replace(/[_\-\s]/g, '')

/** @internal The names of one family: canonical names in order, every accepted spelling, and the lookup. */
export interface NameTable {
  readonly names: ReadonlyArray<string>
  /** canonical names, then the aliases (for "expected one of" and "did you mean") */
  readonly accepted: ReadonlyArray<string>
  /** the canonical name of a spelling, or undefined */
  canonical(name: unknown): string | undefined
}

/** @internal The table of `names` with their `aliases`. An alias of a name not in `names` is an error. */
export const nameTable = (names: ReadonlyArray<string>, aliases: Readonly<Record<string, ReadonlyArray<string>>>): NameTable => {
  const lookup = new Map<string, string>()
  for (const [name, others] of Object.entries(aliases)) {
    if (!names.includes(name)) throw new Error(`names: alias target '${name}' is not a name`)
    for (const a of others) lookup.set(squash(a), name)
  }
  for (const n of names) lookup.set(squash(n), n)
  return {
    names,
    accepted: [...names, ...Object.values(aliases).flat()],
    canonical: (name) => (typeof name === 'string' ? lookup.get(squash(name)) : undefined)
  }
}
