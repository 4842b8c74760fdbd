/**
 * The recurrent layers `simpleRNN`, `lstm`, `gru` (their inputs' layers, `embedding` and `masking`, are in
 * `embedding.ts`), written with
 * `scan` (so compiled mode records one loop, not one copy per time step).
 *
 * Keras 2.15 semantics and weight layouts, so files interoperate: `kernel` `[features, gates·units]`,
 * `recurrent_kernel` `[units, gates·units]`, `bias` `[gates·units]` (GRU with `resetAfter: true`, the
 * default: `[2, 3·units]`, input bias then recurrent bias); gate order LSTM `i, f, c, o`, GRU `z, r, h`.
 * Inputs are `[batch, time, features]`; the time axis may be unknown (`input({shape: [null, 8]})`).
 *
 * Masks: a recurrent layer reads the mask of its input (from `embedding({maskZero})` or `masking`) from
 * `ctx.mask` (`[batch, time]`, 1 = real step); a masked step carries the state through unchanged and
 * repeats the previous output, as Keras does. With `returnSequences` the mask passes on.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Tensor, fill, tensor } from '../core/Tensor.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { split } from '../core/Key.js'
import { randomUniform as rUniform } from '../core/random.js'
import { matmul, add, mul, compare, reshape, transpose, slice, gather, cast, where, concat } from '../primitives/index.js'
import { sub } from '../ops/arithmetic.js'
import { scan } from '../ad/scan.js'
import { type Layer, type BaseOptions, type Empty, type BatchShape, makeLayer, shapeErr, showShape, checkOptions } from './Layer.js'
import { resolveActivation, type ActivationName } from './core.js'
import * as I from './initializers.js'
import { maskOf, withMask } from './mask.js'

/** The options every recurrent constructor accepts (unknown ones are errors). */
const REC_KEYS = ['activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer', 'dropout', 'recurrentDropout', 'returnSequences', 'returnState', 'goBackwards', 'unroll']

const none: Empty = Object.freeze({})

const invalid = (where: string, expected: string, received: unknown): E.Either<TfError, never> =>
  E.left(tfError('InvalidOption', `${where}: expected ${expected}, received ${show(received)}`, { path: where, expected, received }))

const posInt = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0
const rate = (u: unknown): boolean => u === undefined || (typeof u === 'number' && u >= 0 && u < 1)

/** Reverse the time axis (axis 1) of `[batch, time, …]`. */
const reverseTime = (x: Tensor): Tensor => {
  const T = x.shape[1]
  return gather(x, tensor(Array.from({ length: T }, (_, i) => T - 1 - i), [T], 'int32'), 1)
}

// ---------------------------------------------------------------------------------------------------
// recurrent layers

/** Options every recurrent layer takes (Keras's arguments in camelCase). */
export interface RecurrentOptions extends BaseOptions {
  readonly activation?: ActivationName
  readonly useBias?: boolean
  readonly kernelInitializer?: I.InitializerLike
  readonly recurrentInitializer?: I.InitializerLike
  readonly biasInitializer?: I.InitializerLike
  /** fraction of the inputs dropped while training (one mask per sequence, as Keras) */
  readonly dropout?: number
  /** fraction of the recurrent state dropped while training (one mask per sequence) */
  readonly recurrentDropout?: number
  /** return the output of every step `[batch, time, units]` instead of the last `[batch, units]` */
  readonly returnSequences?: boolean
  /** also return the final states: `[output, h]` (LSTM: `[output, h, c]`) */
  readonly returnState?: boolean
  /** walk the sequence backwards (and return the outputs in that order, as Keras) */
  readonly goBackwards?: boolean
  /** accepted for Keras compatibility: a scan is always one recorded loop, so there is nothing to unroll */
  readonly unroll?: boolean
}
/** Options of {@link lstm}. */
export interface LstmOptions extends RecurrentOptions {
  readonly recurrentActivation?: ActivationName
  /** add 1 to the forget gate's bias at initialisation (Keras default true) */
  readonly unitForgetBias?: boolean
}
/** Options of {@link gru}. */
export interface GruOptions extends RecurrentOptions {
  readonly recurrentActivation?: ActivationName
  /** apply the reset gate after the recurrent matmul (Keras 2 default true; TensorFlow.js only loads false) */
  readonly resetAfter?: boolean
}

/** Params of a recurrent layer, in Keras's weight order. */
export type RecurrentParams = { readonly kernel: Tensor; readonly recurrent_kernel: Tensor; readonly bias: Tensor } | { readonly kernel: Tensor; readonly recurrent_kernel: Tensor }

type Act = (x: Tensor) => Tensor

/** A cell: how many gates, how many states, and one step. `xw` is `x·kernel (+ input bias)` for the step. */
interface Cell {
  readonly gates: number
  readonly states: number
  readonly biasShape: (units: number) => number[]
  /** bias initialisation (LSTM's unit forget bias) */
  readonly initBias?: (b: Tensor, units: number) => Tensor
  /** the input part of the bias (added to x·kernel outside the loop) */
  readonly inputBias: (bias: Tensor, units: number) => Tensor
  readonly step: (p: RecurrentParams, xw: Tensor, states: ReadonlyArray<Tensor>, hRec: Tensor, units: number) => Tensor[]
}

const cols = (x: Tensor, from: number, n: number): Tensor => slice(x, [0, from], [x.shape[0], n])

const simpleCell = (act: Act): Cell => ({
  gates: 1,
  states: 1,
  biasShape: (u) => [u],
  inputBias: (b) => b,
  step: (p, xw, _s, hRec) => [act(add(xw, matmul(hRec, p.recurrent_kernel)))]
})

const lstmCell = (act: Act, rec: Act, unitForgetBias: boolean): Cell => ({
  gates: 4,
  states: 2,
  biasShape: (u) => [4 * u],
  initBias: unitForgetBias ? (b, u) => concat([slice(b, [0], [u]), fill([u], 1), slice(b, [2 * u], [2 * u])], 0) : undefined,
  inputBias: (b) => b,
  step: (p, xw, [, c], hRec, u) => {
    const z = add(xw, matmul(hRec, p.recurrent_kernel))
    const i = rec(cols(z, 0, u))
    const f = rec(cols(z, u, u))
    const c2 = add(mul(f, c), mul(i, act(cols(z, 2 * u, u))))
    const o = rec(cols(z, 3 * u, u))
    return [mul(o, act(c2)), c2]
  }
})

const gruCell = (act: Act, rec: Act, resetAfter: boolean): Cell => ({
  gates: 3,
  states: 1,
  biasShape: (u) => (resetAfter ? [2, 3 * u] : [3 * u]),
  inputBias: (b, u) => (resetAfter ? reshape(slice(b, [0, 0], [1, 3 * u]), [3 * u]) : b),
  step: (p, xw, [h], hRec, u) => {
    const U = p.recurrent_kernel
    let z: Tensor, r: Tensor, hh: Tensor
    if (resetAfter) {
      // the recurrent bias is added inside: r ⊙ (h·U_h + b_h)
      const rb = 'bias' in p ? add(matmul(hRec, U), reshape(slice(p.bias, [1, 0], [1, 3 * u]), [3 * u])) : matmul(hRec, U)
      z = rec(add(cols(xw, 0, u), cols(rb, 0, u)))
      r = rec(add(cols(xw, u, u), cols(rb, u, u)))
      hh = act(add(cols(xw, 2 * u, u), mul(r, cols(rb, 2 * u, u))))
    } else {
      const rz = matmul(hRec, slice(U, [0, 0], [u, 2 * u]))
      z = rec(add(cols(xw, 0, u), cols(rz, 0, u)))
      r = rec(add(cols(xw, u, u), cols(rz, u, u)))
      hh = act(add(cols(xw, 2 * u, u), matmul(mul(r, hRec), slice(U, [0, 2 * u], [u, u]))))
    }
    return [add(mul(z, h), mul(sub(1, z), hh))]
  }
})

interface RnnSpec {
  readonly kind: 'SimpleRNN' | 'LSTM' | 'GRU'
  readonly units: number
  readonly cell: Cell
  readonly config: Record<string, unknown>
  readonly opts: RecurrentOptions
  readonly ki: I.Initializer
  readonly ri: I.Initializer
  readonly bi: I.Initializer
}

/** The shared recurrent layer over a cell. */
const rnnLayer = (s: RnnSpec): Layer<RecurrentParams, Empty, Tensor, Tensor> => {
  const { units: u, cell, opts } = s
  const useBias = opts.useBias ?? true
  const returnSequences = opts.returnSequences === true
  const returnState = opts.returnState === true
  const goBackwards = opts.goBackwards === true
  const dropout = opts.dropout ?? 0
  const recurrentDropout = opts.recurrentDropout ?? 0
  const outShape = (b: number | null, t: number | null): BatchShape => Object.freeze(returnSequences ? [b, t, u] : [b, u])
  const layer = makeLayer<RecurrentParams, Empty, Tensor, Tensor>(
    s.kind,
    s.config as never,
    opts,
    (key, shape) => {
      if (shape.length !== 3) return shapeErr(s.kind.toLowerCase(), `expected an input of rank 3 [batch, time, features], received ${showShape(shape)}`, 'rank 3', shape)
      const f = shape[2]
      if (f === null || f === 0) return shapeErr(s.kind.toLowerCase(), `the features axis must be known and positive, received ${showShape(shape)}`, 'known features', shape)
      const [kk, kr, kb] = split(key, 3)
      const kernel = s.ki.init(kk, [f, cell.gates * u])
      const recurrent_kernel = s.ri.init(kr, [u, cell.gates * u])
      const b0 = useBias ? s.bi.init(kb, cell.biasShape(u)) : undefined
      const bias = b0 !== undefined && cell.initBias !== undefined ? cell.initBias(b0, u) : b0
      const params: RecurrentParams = bias !== undefined ? Object.freeze({ kernel, recurrent_kernel, bias }) : Object.freeze({ kernel, recurrent_kernel })
      const out = outShape(shape[0], shape[1])
      const outputShape = (returnState ? Object.freeze([out, ...Array.from({ length: cell.states }, () => Object.freeze([shape[0], u]))]) : out) as BatchShape
      return E.right({ params, state: none, outputShape })
    },
    (p) => (x0, ctx) => {
      const x = x0.dtype === 'int32' ? cast(x0, 'float32') : x0
      const [B, T, F] = x.shape
      const [kd, kr] = split(ctx.key, 2)
      // dropout masks are drawn once per sequence (outside the loop), as Keras does
      const xd = ctx.training && dropout > 0 ? mul(x, mul(compare(rUniform(kd, [B, 1, F]), dropout, 'ge'), 1 / (1 - dropout))) : x
      const recMask = ctx.training && recurrentDropout > 0 ? mul(compare(rUniform(kr, [B, u]), recurrentDropout, 'ge'), 1 / (1 - recurrentDropout)) : undefined
      const xw0 = reshape(matmul(reshape(xd, [B * T, F]), p.kernel), [B, T, cell.gates * u])
      const xw1 = 'bias' in p ? add(xw0, cell.inputBias(p.bias, u)) : xw0
      const m0 = maskOf(ctx)
      const xw = goBackwards ? reverseTime(xw1) : xw1
      const m = m0 === undefined ? undefined : goBackwards ? reverseTime(reshape(m0, [B, T, 1])) : reshape(m0, [B, T, 1])
      const xs = { xw: transpose(xw, [1, 0, 2]), ...(m !== undefined ? { m: transpose(m, [1, 0, 2]) } : {}) }
      const init = Array.from({ length: cell.states }, () => fill([B, u], 0))
      const [fin, ys] = scan(
        (st: Tensor[], sl: { readonly xw: Tensor; readonly m?: Tensor }): [Tensor[], Tensor] => {
          const hRec = recMask === undefined ? st[0] : mul(st[0], recMask)
          const next = cell.step(p, sl.xw, st, hRec, u)
          const kept = sl.m === undefined ? next : next.map((n, i) => where(compare(sl.m as Tensor, 0, 'gt'), n, st[i]))
          return [kept, kept[0]]
        },
        init,
        xs
      )
      const out = returnSequences ? transpose(ys, [1, 0, 2]) : fin[0]
      return { y: (returnState ? [out, ...fin] : out) as Tensor, state: none }
    },
    returnState ? { multiOutput: true } : {}
  )
  // with returnSequences the mask passes on unchanged (Keras does not reverse it for goBackwards); with
  // returnState the states have none (Keras's RNN.compute_mask: [output mask, None, …])
  const outMask = (_x: Tensor, mask: Tensor | undefined): Tensor | undefined | ReadonlyArray<Tensor | undefined> => {
    const m = returnSequences ? mask : undefined
    return returnState ? [m, ...Array.from({ length: cell.states }, () => undefined)] : m
  }
  return withMask(layer, returnSequences || returnState ? outMask : undefined)
}

const checkRecurrent = (kind: string, units: number, opts: RecurrentOptions): E.Either<TfError, true> => {
  const w = kind.charAt(0).toLowerCase() + kind.slice(1)
  if (!posInt(units)) return invalid(`${w}.units`, 'a positive integer', units)
  if (!rate(opts.dropout)) return invalid(`${w}.dropout`, 'a rate in [0, 1)', opts.dropout)
  if (!rate(opts.recurrentDropout)) return invalid(`${w}.recurrentDropout`, 'a rate in [0, 1)', opts.recurrentDropout)
  return E.right(true)
}

const commonConfig = (units: number, opts: RecurrentOptions, ki: I.Initializer, ri: I.Initializer, bi: I.Initializer) => ({
  units,
  activation: opts.activation ?? 'tanh',
  useBias: opts.useBias ?? true,
  kernelInitializer: I.toJson(ki),
  recurrentInitializer: I.toJson(ri),
  biasInitializer: I.toJson(bi),
  dropout: opts.dropout ?? 0,
  recurrentDropout: opts.recurrentDropout ?? 0,
  returnSequences: opts.returnSequences === true,
  returnState: opts.returnState === true,
  goBackwards: opts.goBackwards === true,
  unroll: opts.unroll === true
})

const inits = (w: string, opts: RecurrentOptions) =>
  pipe(
    E.Do,
    E.bind('act', () => resolveActivation(`${w}.activation`, opts.activation ?? 'tanh')),
    E.bind('ki', () => I.resolve(`${w}.kernelInitializer`, opts.kernelInitializer, I.glorotUniform)),
    E.bind('ri', () => I.resolve(`${w}.recurrentInitializer`, opts.recurrentInitializer, () => I.orthogonal())),
    E.bind('bi', () => I.resolve(`${w}.biasInitializer`, opts.biasInitializer, I.zeros))
  )

/** `simpleRNN` as `Either`. */
export const simpleRNNE = (units: number, opts: RecurrentOptions = {}): E.Either<TfError, Layer<RecurrentParams, Empty, Tensor, Tensor>> =>
  pipe(
    checkOptions('simpleRNN', opts, REC_KEYS),
    E.chain(() => checkRecurrent('SimpleRNN', units, opts)),
    E.chain(() => inits('simpleRNN', opts)),
    E.map(({ act, ki, ri, bi }) => rnnLayer({ kind: 'SimpleRNN', units, cell: simpleCell(act), config: commonConfig(units, opts, ki, ri, bi), opts, ki, ri, bi }))
  )
/** `lstm` as `Either`. */
export const lstmE = (units: number, opts: LstmOptions = {}): E.Either<TfError, Layer<RecurrentParams, Empty, Tensor, Tensor>> =>
  pipe(
    checkOptions('lstm', opts, [...REC_KEYS, 'recurrentActivation', 'unitForgetBias']),
    E.chain(() => checkRecurrent('LSTM', units, opts)),
    E.chain(() => inits('lstm', opts)),
    E.bind('rec', () => resolveActivation('lstm.recurrentActivation', opts.recurrentActivation ?? 'sigmoid')),
    E.map(({ act, rec, ki, ri, bi }) => {
      const unitForgetBias = opts.unitForgetBias ?? true
      const config = { ...commonConfig(units, opts, ki, ri, bi), recurrentActivation: opts.recurrentActivation ?? 'sigmoid', unitForgetBias }
      return rnnLayer({ kind: 'LSTM', units, cell: lstmCell(act, rec, unitForgetBias), config, opts, ki, ri, bi })
    })
  )
/** `gru` as `Either`. */
export const gruE = (units: number, opts: GruOptions = {}): E.Either<TfError, Layer<RecurrentParams, Empty, Tensor, Tensor>> =>
  pipe(
    checkOptions('gru', opts, [...REC_KEYS, 'recurrentActivation', 'resetAfter']),
    E.chain(() => checkRecurrent('GRU', units, opts)),
    E.chain(() => inits('gru', opts)),
    E.bind('rec', () => resolveActivation('gru.recurrentActivation', opts.recurrentActivation ?? 'sigmoid')),
    E.map(({ act, rec, ki, ri, bi }) => {
      const resetAfter = opts.resetAfter ?? true
      const config = { ...commonConfig(units, opts, ki, ri, bi), recurrentActivation: opts.recurrentActivation ?? 'sigmoid', resetAfter }
      return rnnLayer({ kind: 'GRU', units, cell: gruCell(act, rec, resetAfter), config, opts, ki, ri, bi })
    })
  )

/** The output type of a recurrent layer: one tensor, or `[output, ...states]` with `returnState`. */
type RnnOut<O> = O extends { readonly returnState: true } ? ReadonlyArray<Tensor> : Tensor

/**
 * A fully connected RNN: `h' = activation(x·kernel + h·recurrent_kernel + bias)`.
 * @example simpleRNN(32, { returnSequences: true })
 */
export const simpleRNN = <O extends RecurrentOptions>(units: number, opts?: O): Layer<RecurrentParams, Empty, Tensor, RnnOut<O>> =>
  orThrow(simpleRNNE(units, opts)) as never
/**
 * Long short-term memory (Hochreiter & Schmidhuber), Keras's LSTM. @example lstm(64, { returnSequences: true })
 */
export const lstm = <O extends LstmOptions>(units: number, opts?: O): Layer<RecurrentParams, Empty, Tensor, RnnOut<O>> => orThrow(lstmE(units, opts)) as never
/**
 * Gated recurrent unit, Keras's GRU (`resetAfter: true` by default, as Keras 2). @example gru(32)
 */
export const gru = <O extends GruOptions>(units: number, opts?: O): Layer<RecurrentParams, Empty, Tensor, RnnOut<O>> => orThrow(gruE(units, opts)) as never
