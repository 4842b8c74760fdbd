/**
 * Reading a saved layer config (`{kind, config}`): typed readers of its entries, the frozen flag, and
 * the builders of the recurrent layers. Shared by `builtin.ts` (the table of every kind) and
 * `wrappers.ts` (`bidirectional` rebuilds the recurrent layer it wraps), so neither imports the other.
 *
 * @since 0.2.0
 */
import { type AnyLayer, type Config, setTrainable } from './Layer.js'
import type { ActivationName } from './core.js'
import type { InitializerLike } from './initializers.js'
import * as R from './recurrent.js'

/** @internal A string entry, or undefined. */
export const str = (c: Config, k: string): string | undefined => (typeof c[k] === 'string' ? (c[k] as string) : undefined)
/** @internal A number entry, or undefined. */
export const num = (c: Config, k: string): number | undefined => (typeof c[k] === 'number' ? (c[k] as number) : undefined)
/** @internal A list of numbers, or undefined. */
export const nums = (c: Config, k: string): ReadonlyArray<number> | undefined => (Array.isArray(c[k]) ? (c[k] as ReadonlyArray<number>) : undefined)
/** @internal The options every layer takes: name, input shape, the frozen flag. */
export const base = (c: Config) => ({ name: str(c, 'name'), inputShape: nums(c, 'inputShape'), ...(c.trainable === false ? { trainable: false } : {}) })
/** @internal The config entries passed through as they are (initializers, regularizers, constraints: JSON the constructors decode). */
export const pass = (c: Config, keys: ReadonlyArray<string>) => Object.fromEntries(keys.filter((k) => c[k] !== undefined && c[k] !== null).map((k) => [k, c[k]])) as Record<string, never>
/** @internal A layer or model rebuilt from config keeps its frozen flag. */
export const frozenIf = (c: Config, m: AnyLayer): AnyLayer => (c.trainable === false ? setTrainable(m, false) : m)

const recurrentOpts = (c: Config): R.RecurrentOptions => ({
  ...base(c),
  activation: str(c, 'activation') as ActivationName | undefined,
  useBias: c.useBias !== false,
  kernelInitializer: c.kernelInitializer as unknown as InitializerLike | undefined,
  recurrentInitializer: c.recurrentInitializer as unknown as InitializerLike | undefined,
  biasInitializer: c.biasInitializer as unknown as InitializerLike | undefined,
  dropout: num(c, 'dropout'),
  recurrentDropout: num(c, 'recurrentDropout'),
  returnSequences: c.returnSequences === true,
  returnState: c.returnState === true,
  goBackwards: c.goBackwards === true,
  unroll: c.unroll === true
})

/** @internal The recurrent layers from their configs (throwing, as the rest of the builtin table). */
export const recurrentBuilders: { readonly [kind in 'SimpleRNN' | 'LSTM' | 'GRU']: (c: Config) => AnyLayer } = {
  SimpleRNN: (c: Config) => R.simpleRNN(num(c, 'units') as number, recurrentOpts(c)),
  LSTM: (c: Config) =>
    R.lstm(num(c, 'units') as number, {
      ...recurrentOpts(c),
      recurrentActivation: str(c, 'recurrentActivation') as ActivationName | undefined,
      unitForgetBias: c.unitForgetBias !== false
    }),
  GRU: (c: Config) =>
    R.gru(num(c, 'units') as number, {
      ...recurrentOpts(c),
      recurrentActivation: str(c, 'recurrentActivation') as ActivationName | undefined,
      resetAfter: c.resetAfter !== false
    })
}
