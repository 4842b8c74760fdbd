/**
 * Weight initializers, seeded by keys: an initializer is a value `{kind, config, init(key, shape)}`
 * with a JSON config, so layers can store it and `fromConfig` can rebuild it. Keras's defaults and
 * formulas (variance scaling with a truncated normal corrected by 0.8796…).
 *
 * Law: the same key and shape give the same tensor.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import { fill, fromBuffer, allocFloat, storageOf } from '../core/Tensor.js'
import type { Shape } from '../core/Shape.js'
import type { Key } from '../core/Key.js'
import { randomNormal as rNormal, randomUniform as rUniform, truncatedNormal } from '../core/random.js'
import { tfError, type TfError, show } from '../core/errors.js'
import type { Config, Json } from './Layer.js'

/** An initializer: makes a tensor of a shape from a key. */
export interface Initializer {
  readonly kind: string
  readonly config: Config
  readonly init: (key: Key, shape: Shape) => Tensor
}

/** The names `dense({kernelInitializer: 'heNormal'})` accepts (camelCase or Keras snake_case). */
export type InitializerName =
  | 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'heUniform' | 'lecunNormal' | 'lecunUniform'
  | 'zeros' | 'ones' | 'randomNormal' | 'randomUniform' | 'orthogonal'
  | 'glorot_uniform' | 'glorot_normal' | 'he_normal' | 'he_uniform' | 'lecun_normal' | 'lecun_uniform' | 'random_normal' | 'random_uniform'

const fromValuesF = (v: Float64Array, shape: Shape): Tensor => {
  const b = allocFloat(v.length)
  b.set(v)
  return fromBuffer(b, shape)
}

const make = (kind: string, config: Config, init: (key: Key, shape: Shape) => Tensor): Initializer => Object.freeze({ kind, config: Object.freeze(config), init })

/** Keras's fans: the last two axes are (in, out); leading axes form the receptive field. */
const fans = (shape: Shape): [number, number] => {
  if (shape.length === 0) return [1, 1]
  if (shape.length === 1) return [shape[0], shape[0]]
  const rf = shape.slice(0, -2).reduce((a, b) => a * b, 1)
  return [shape[shape.length - 2] * rf, shape[shape.length - 1] * rf]
}

type Mode = 'fanIn' | 'fanOut' | 'fanAvg'
/** Keras's `VarianceScaling`. */
export const varianceScaling = (opts: { readonly scale?: number; readonly mode?: Mode; readonly distribution?: 'truncatedNormal' | 'uniform' | 'untruncatedNormal' } = {}): Initializer => {
  const scale = opts.scale ?? 1
  const mode = opts.mode ?? 'fanIn'
  const distribution = opts.distribution ?? 'truncatedNormal'
  return make('VarianceScaling', { scale, mode, distribution }, (k, shape) => {
    const [fi, fo] = fans(shape)
    const n = Math.max(1, mode === 'fanIn' ? fi : mode === 'fanOut' ? fo : (fi + fo) / 2)
    const v = scale / n
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * v)
      return rUniform(k, shape, -limit, limit)
    }
    if (distribution === 'untruncatedNormal') return rNormal(k, shape, 0, Math.sqrt(v))
    // stddev of a unit normal truncated to [-2, 2]
    return truncatedNormal(k, shape, 0, Math.sqrt(v) / 0.87962566103423978)
  })
}

/** Glorot (Xavier) uniform: `U(−l, l)`, `l = √(6 / (fanIn + fanOut))`. The Keras default for kernels. */
export const glorotUniform = (): Initializer => make('GlorotUniform', {}, varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform' }).init)
/** Glorot normal: truncated normal with `σ = √(2 / (fanIn + fanOut))`. */
export const glorotNormal = (): Initializer => make('GlorotNormal', {}, varianceScaling({ scale: 1, mode: 'fanAvg' }).init)
/** He normal: truncated normal with `σ = √(2 / fanIn)`. */
export const heNormal = (): Initializer => make('HeNormal', {}, varianceScaling({ scale: 2, mode: 'fanIn' }).init)
/** He uniform: `l = √(6 / fanIn)`. */
export const heUniform = (): Initializer => make('HeUniform', {}, varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' }).init)
/** LeCun normal: truncated normal with `σ = √(1 / fanIn)`. */
export const lecunNormal = (): Initializer => make('LecunNormal', {}, varianceScaling({ scale: 1, mode: 'fanIn' }).init)
/** LeCun uniform: `l = √(3 / fanIn)`. */
export const lecunUniform = (): Initializer => make('LecunUniform', {}, varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' }).init)
/** All zeros. The Keras default for biases. */
export const zeros = (): Initializer => make('Zeros', {}, (_k, s) => fill(s, 0))
/** All ones. */
export const ones = (): Initializer => make('Ones', {}, (_k, s) => fill(s, 1))
/** A constant. */
export const constant = (value: number): Initializer => make('Constant', { value }, (_k, s) => fill(s, value))
/** Normal samples (Keras defaults: mean 0, stddev 0.05). */
export const randomNormal = (opts: { readonly mean?: number; readonly stddev?: number } = {}): Initializer => {
  const mean = opts.mean ?? 0
  const stddev = opts.stddev ?? 0.05
  return make('RandomNormal', { mean, stddev }, (k, s) => rNormal(k, s, mean, stddev))
}
/** Uniform samples (Keras defaults: [−0.05, 0.05)). */
export const randomUniform = (opts: { readonly minval?: number; readonly maxval?: number } = {}): Initializer => {
  const minval = opts.minval ?? -0.05
  const maxval = opts.maxval ?? 0.05
  return make('RandomUniform', { minval, maxval }, (k, s) => rUniform(k, s, minval, maxval))
}

/**
 * Keras's `Orthogonal` (the default for recurrent kernels): a random orthogonal matrix (QR of a normal
 * matrix, the signs fixed by R's diagonal) times `gain`, over the shape flattened to `[∏ leading, last]`.
 */
export const orthogonal = (opts: { readonly gain?: number } = {}): Initializer => {
  const gain = opts.gain ?? 1
  return make('Orthogonal', { gain }, (k, shape) => {
    const cols = shape.length === 0 ? 1 : shape[shape.length - 1]
    const rows = shape.length === 0 ? 1 : shape.slice(0, -1).reduce((a, b) => a * b, 1)
    const [m, n] = [Math.max(rows, cols), Math.min(rows, cols)]
    const a = Float64Array.from(storageOf(rNormal(k, [m, n])) as ArrayLike<number>)
    // modified Gram–Schmidt on the n columns of the m×n matrix a (column j: a[i*n + j]); R's diagonal
    // is each column's norm, positive, so no sign fix is needed
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < j; p++) {
        let d = 0
        for (let i = 0; i < m; i++) d += a[i * n + j] * a[i * n + p]
        for (let i = 0; i < m; i++) a[i * n + j] -= d * a[i * n + p]
      }
      let nrm = 0
      for (let i = 0; i < m; i++) nrm += a[i * n + j] * a[i * n + j]
      nrm = Math.sqrt(nrm) || 1
      for (let i = 0; i < m; i++) a[i * n + j] /= nrm
    }
    const out = new Float64Array(rows * cols)
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? a[r * n + c] : a[c * n + r])
    return fromValuesF(out, shape)
  })
}

const num = (c: Config, k: string): number | undefined => (typeof c[k] === 'number' ? (c[k] as number) : undefined)

/** Every initializer by kind, rebuilt from its config. */
export const builtinInitializers: { readonly [kind: string]: (config: Config) => Initializer } = Object.freeze({
  GlorotUniform: () => glorotUniform(),
  GlorotNormal: () => glorotNormal(),
  HeNormal: () => heNormal(),
  HeUniform: () => heUniform(),
  LecunNormal: () => lecunNormal(),
  LecunUniform: () => lecunUniform(),
  Zeros: () => zeros(),
  Ones: () => ones(),
  Constant: (c: Config) => constant(num(c, 'value') ?? 0),
  RandomNormal: (c: Config) => randomNormal({ mean: num(c, 'mean'), stddev: num(c, 'stddev') }),
  RandomUniform: (c: Config) => randomUniform({ minval: num(c, 'minval'), maxval: num(c, 'maxval') }),
  Orthogonal: (c: Config) => orthogonal({ gain: num(c, 'gain') }),
  VarianceScaling: (c: Config) =>
    varianceScaling({ scale: num(c, 'scale'), mode: c.mode as Mode | undefined, distribution: c.distribution as 'uniform' | undefined })
})

const byName: { readonly [name: string]: () => Initializer } = {
  glorotUniform, glorotNormal, heNormal, heUniform, lecunNormal, lecunUniform, zeros, ones,
  randomNormal: () => randomNormal(), randomUniform: () => randomUniform(), orthogonal: () => orthogonal()
}
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** What initializer options accept: a name, an initializer, or a saved `{kind, config}`. */
export type InitializerLike = InitializerName | Initializer | { readonly kind: string; readonly config: Config }

/** Resolve a name, an initializer or a `{kind, config}` to an initializer. */
export const resolve = (where: string, i: InitializerLike | undefined, dflt: () => Initializer): E.Either<TfError, Initializer> => {
  if (i === undefined) return E.right(dflt())
  if (typeof i === 'string') {
    const f = byName[camel(i)]
    return f ? E.right(f()) : E.left(unknown(where, i))
  }
  if (typeof i === 'object' && i !== null && typeof (i as Initializer).init === 'function') return E.right(i as Initializer)
  if (typeof i === 'object' && i !== null && typeof i.kind === 'string' && builtinInitializers[i.kind]) return E.right(builtinInitializers[i.kind](i.config ?? {}))
  return E.left(unknown(where, i))
}

const unknown = (where: string, i: unknown): TfError =>
  tfError('InvalidOption', `${where}: unknown initializer ${show(i)}; expected one of ${Object.keys(byName).map((n) => `'${n}'`).join(', ')} or an Initializer`, {
    path: where,
    expected: Object.keys(byName),
    received: i
  })

/** The JSON form an initializer is saved as. */
export const toJson = (i: Initializer): Json => ({ kind: i.kind, config: i.config })
