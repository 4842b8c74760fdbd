/**
 * Depthwise and depthwise-separable 2-d convolutions, as Keras 2.15's `DepthwiseConv2D` and
 * `SeparableConv2D`: `depthwiseConv2d(kernelSize, opts)`, `separableConv2d(filters, kernelSize, opts)`.
 * Weights: `depthwise_kernel` `[kh, kw, in, depthMultiplier]`, `pointwise_kernel`
 * `[1, 1, in · depthMultiplier, filters]`, `bias`. Weight options follow Keras's names:
 * `depthwiseRegularizer`/`depthwiseConstraint` (both layers), `pointwiseRegularizer`/`pointwiseConstraint`
 * (separable), `biasRegularizer`/`biasConstraint`, `activityRegularizer`, and `trainable`.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Tensor } from '../core/Tensor.js'
import { split } from '../core/Key.js'
import { type TfError, orThrow } from '../core/errors.js'
import { reshape as reshapeOp } from '../primitives/index.js'
import { conv } from '../ops/conv.js'
import { type Layer, type BaseOptions, type Empty, makeLayer, checkOptions } from './Layer.js'
import { type ActivationName, resolveActivation } from './core.js'
import * as I from './initializers.js'
import { weightOptions, weightOptionKeys, type RegularizerLike, type ConstraintLike } from './weights.js'
import { type DataFormat, none, positive, geometryE, outShape, windowShapes, channelsLast, addBias } from './spatial.js'

/** Params of a depthwise convolution: `depthwise_kernel` `[kh, kw, in, depthMultiplier]`, then `bias`. */
export type DepthwiseParams = { readonly depthwise_kernel: Tensor; readonly bias: Tensor } | { readonly depthwise_kernel: Tensor }

export interface SpatialOptions extends BaseOptions {
  readonly strides?: number | ReadonlyArray<number>
  readonly padding?: 'valid' | 'same'
  readonly depthMultiplier?: number
  readonly dataFormat?: DataFormat
  readonly dilationRate?: number | ReadonlyArray<number>
  readonly activation?: ActivationName
  readonly useBias?: boolean
  readonly depthwiseInitializer?: I.InitializerLike
  readonly biasInitializer?: I.InitializerLike
  readonly depthwiseRegularizer?: RegularizerLike
  readonly biasRegularizer?: RegularizerLike
  /** a penalty on the layer's output, divided by the batch size */
  readonly activityRegularizer?: RegularizerLike
  readonly depthwiseConstraint?: ConstraintLike
  readonly biasConstraint?: ConstraintLike
}

/** Options of {@link depthwiseConv2d}. */
export type DepthwiseOptions = SpatialOptions

/** Options of {@link separableConv2d}. */
export interface SeparableOptions extends SpatialOptions {
  readonly pointwiseInitializer?: I.InitializerLike
  readonly pointwiseRegularizer?: RegularizerLike
  readonly pointwiseConstraint?: ConstraintLike
}

/** Params of a separable convolution: `depthwise_kernel`, `pointwise_kernel` `[1, 1, in · m, filters]`, then `bias`. */
export type SeparableParams =
  | { readonly depthwise_kernel: Tensor; readonly pointwise_kernel: Tensor; readonly bias: Tensor }
  | { readonly depthwise_kernel: Tensor; readonly pointwise_kernel: Tensor }

/** The depthwise step: kernel `[kh, kw, in, m]` as a grouped convolution with `in` groups. */
const depthwise = (x: Tensor, dk: Tensor, strides: number[], padding: 'valid' | 'same', dilation: number[]): Tensor => {
  const [kh, kw, c, m] = dk.shape
  return conv(x, reshapeOp(dk, [kh, kw, 1, c * m]), { strides, padding, dilation, groups: c })
}

const SPATIAL_KEYS = ['strides', 'padding', 'depthMultiplier', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'depthwiseInitializer', 'biasInitializer']
const DEPTHWISE_PARAMS = { depthwise: 'depthwise_kernel', bias: 'bias' } as const
const SEPARABLE_PARAMS = { depthwise: 'depthwise_kernel', pointwise: 'pointwise_kernel', bias: 'bias' } as const

const spatial2dE = (where: string, opts: SpatialOptions, kernelSize: unknown) =>
  pipe(
    geometryE(where, kernelSize, opts, 2, false),
    E.bind('m', () => positive(where, 'depthMultiplier', opts.depthMultiplier ?? 1)),
    E.bind('act', () => resolveActivation(`${where}.activation`, opts.activation)),
    E.bind('di', () => I.resolve(`${where}.depthwiseInitializer`, opts.depthwiseInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve(`${where}.biasInitializer`, opts.biasInitializer, I.zeros))
  )

/** `depthwiseConv2d` as `Either`. */
export const depthwiseConv2dE = (kernelSize: number | ReadonlyArray<number>, opts: DepthwiseOptions = {}): E.Either<TfError, Layer<DepthwiseParams>> => {
  const where = 'depthwiseConv2d'
  return pipe(
    checkOptions(where, opts, [...SPATIAL_KEYS, ...weightOptionKeys(Object.keys(DEPTHWISE_PARAMS))]),
    E.chain(() => spatial2dE(where, opts, kernelSize)),
    E.bind('w', () => weightOptions(where, opts, DEPTHWISE_PARAMS)),
    E.map(({ k, strides, dilation, padding, fmt, m, act, di, bi, w }) => {
      const useBias = opts.useBias ?? true
      const pad = padding as 'valid' | 'same'
      return makeLayer<DepthwiseParams, Empty>(
        'DepthwiseConv2D',
        {
          kernelSize: k, strides, padding: pad, depthMultiplier: m, dataFormat: fmt, dilationRate: dilation, activation: opts.activation ?? 'linear', useBias,
          depthwiseInitializer: I.toJson(di), biasInitializer: I.toJson(bi), ...w.config
        },
        opts,
        (key, s) =>
          pipe(
            windowShapes(where, s, 2, fmt, k, strides, pad, dilation),
            E.map(({ channels, out }) => {
          const [kk, kb] = split(key, 2)
          const dk = di.init(kk, [...k, channels, m])
          const params: DepthwiseParams = useBias ? Object.freeze({ depthwise_kernel: dk, bias: bi.init(kb, [channels * m]) }) : Object.freeze({ depthwise_kernel: dk })
          return { params, state: none, outputShape: outShape(s[0], out, channels * m, fmt) }
            })
          ),
        (p) => (x) => ({
          y: channelsLast(x, fmt, (xl) => act(addBias(depthwise(xl, p.depthwise_kernel, strides, pad, dilation), 'bias' in p ? p.bias : undefined))),
          state: none
        }),
        w
      )
    })
  )
}
/**
 * Depthwise 2-d convolution (Keras `DepthwiseConv2D`): each input channel convolved with its own
 * `depthMultiplier` filters. @example depthwiseConv2d(3, { padding: 'same', depthwiseConstraint: maxNorm(2) })
 */
export const depthwiseConv2d = (kernelSize: number | ReadonlyArray<number>, opts?: DepthwiseOptions): Layer<DepthwiseParams> => orThrow(depthwiseConv2dE(kernelSize, opts))

/** `separableConv2d` as `Either`. */
export const separableConv2dE = (filters: number, kernelSize: number | ReadonlyArray<number>, opts: SeparableOptions = {}): E.Either<TfError, Layer<SeparableParams>> => {
  const where = 'separableConv2d'
  return pipe(
    checkOptions(where, opts, [...SPATIAL_KEYS, 'pointwiseInitializer', ...weightOptionKeys(Object.keys(SEPARABLE_PARAMS))]),
    E.chain(() => positive(where, 'filters', filters)),
    E.chain((f) => pipe(spatial2dE(where, opts, kernelSize), E.map((c) => ({ ...c, f })))),
    E.bind('pi', () => I.resolve(`${where}.pointwiseInitializer`, opts.pointwiseInitializer, I.glorotUniform)),
    E.bind('w', () => weightOptions(where, opts, SEPARABLE_PARAMS)),
    E.map(({ f, k, strides, dilation, padding, fmt, m, act, di, pi, bi, w }) => {
      const useBias = opts.useBias ?? true
      const pad = padding as 'valid' | 'same'
      return makeLayer<SeparableParams, Empty>(
        'SeparableConv2D',
        {
          filters: f, kernelSize: k, strides, padding: pad, depthMultiplier: m, dataFormat: fmt, dilationRate: dilation, activation: opts.activation ?? 'linear', useBias,
          depthwiseInitializer: I.toJson(di), pointwiseInitializer: I.toJson(pi), biasInitializer: I.toJson(bi), ...w.config
        },
        opts,
        (key, s) =>
          pipe(
            windowShapes(where, s, 2, fmt, k, strides, pad, dilation),
            E.map(({ channels, out }) => {
          const [kd, kp, kb] = split(key, 3)
          const depthwise_kernel = di.init(kd, [...k, channels, m])
          const pointwise_kernel = pi.init(kp, [1, 1, channels * m, f])
          const params: SeparableParams = useBias ? Object.freeze({ depthwise_kernel, pointwise_kernel, bias: bi.init(kb, [f]) }) : Object.freeze({ depthwise_kernel, pointwise_kernel })
          return { params, state: none, outputShape: outShape(s[0], out, f, fmt) }
            })
          ),
        (p) => (x) => ({
          y: channelsLast(x, fmt, (xl) => act(addBias(conv(depthwise(xl, p.depthwise_kernel, strides, pad, dilation), p.pointwise_kernel), 'bias' in p ? p.bias : undefined))),
          state: none
        }),
        w
      )
    })
  )
}
/**
 * Depthwise-separable 2-d convolution (Keras `SeparableConv2D`): a depthwise convolution, then a 1×1
 * convolution to `filters` channels. @example separableConv2d(32, 3, { activation: 'relu', pointwiseRegularizer: l2(1e-4) })
 */
export const separableConv2d = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: SeparableOptions): Layer<SeparableParams> =>
  orThrow(separableConv2dE(filters, kernelSize, opts))
