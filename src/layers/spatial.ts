/**
 * What the convolution and pooling layers share: reading their spatial options (one positive integer
 * per axis, Keras's `padding` and `data_format`), checking an input's rank and channels, the output
 * length of an axis, and running a channels-first input through a channels-last op.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Tensor } from '../core/Tensor.js'
import { tfError, type TfError, show } from '../core/errors.js'
import { add, transpose } from '../primitives/index.js'
import { windowOutLength } from '../backend/window.js'
import { type Empty, type BatchShape, shapeErr, showShape } from './Layer.js'

/** The empty params/state record of layers without weights. */
export const none: Empty = Object.freeze({})

/** Keras's `data_format`. */
export type DataFormat = 'channels_last' | 'channels_first'

/** Keras's `padding` of a convolution or pooling layer. */
export type SpatialPadding = 'valid' | 'same' | 'causal'

/** One positive integer per spatial axis, from a number or an array of `rank`. */
export const tupleE = (layer: string, what: string, v: unknown, rank: number, dflt: number | ReadonlyArray<number>): E.Either<TfError, number[]> => {
  const raw = v === undefined || v === null ? dflt : v
  const xs = typeof raw === 'number' ? Array.from({ length: rank }, () => raw) : Array.isArray(raw) ? [...(raw as number[])] : null
  if (xs === null || xs.length !== rank || !xs.every((e) => Number.isSafeInteger(e) && e >= 1))
    return E.left(tfError('InvalidOption', `${layer}: ${what} must be a positive integer or ${rank} of them, received ${show(v)}`, { path: what, expected: `positive integer or ${rank} of them`, received: v }))
  return E.right(xs)
}

/** A positive integer option. */
export const positive = (layer: string, what: string, v: unknown): E.Either<TfError, number> =>
  Number.isSafeInteger(v) && (v as number) >= 1
    ? E.right(v as number)
    : E.left(tfError('InvalidOption', `${layer}: expected ${what} to be a positive integer, received ${show(v)}`, { path: what, expected: 'positive integer', received: v }))

/** `padding`: 'valid' (default) or 'same', and 'causal' where allowed (1-d convolutions). */
export const paddingE = (layer: string, v: unknown, allowCausal: boolean): E.Either<TfError, SpatialPadding> => {
  const p = v ?? 'valid'
  const ok = p === 'valid' || p === 'same' || (allowCausal && p === 'causal')
  return ok
    ? E.right(p as SpatialPadding)
    : E.left(tfError('InvalidOption', `${layer}: padding must be 'valid'${allowCausal ? ", 'same' or 'causal'" : " or 'same'"}, received ${show(v)}`, { path: 'padding', expected: allowCausal ? ['valid', 'same', 'causal'] : ['valid', 'same'], received: v }))
}

/** `dataFormat` (default 'channels_last'). */
export const formatE = (layer: string, v: unknown): E.Either<TfError, DataFormat> =>
  v === undefined || v === null || v === 'channels_last' || v === 'channels_first'
    ? E.right((v ?? 'channels_last') as DataFormat)
    : E.left(tfError('InvalidOption', `${layer}: dataFormat must be 'channels_last' or 'channels_first', received ${show(v)}`, { path: 'dataFormat', expected: ['channels_last', 'channels_first'], received: v }))

/** Check the input rank and read its channels; the spatial sizes may be unknown (null). */
export const inputDims = (layer: string, s: BatchShape, rank: number, fmt: DataFormat): E.Either<TfError, { spatial: Array<number | null>; channels: number }> => {
  if (s.length !== rank + 2) return shapeErr(layer, `expected an input of rank ${rank + 2} ([batch, ${fmt === 'channels_last' ? `...${rank} spatial, channels` : `channels, ...${rank} spatial`}]), received ${showShape(s)}`, rank + 2, s)
  const channels = fmt === 'channels_last' ? s[rank + 1] : s[1]
  if (channels === null || channels === 0) return shapeErr(layer, `the channel axis must be known and positive, received ${showShape(s)}`, 'known channels', s)
  return E.right({ spatial: (fmt === 'channels_last' ? s.slice(1, rank + 1) : s.slice(2)) as Array<number | null>, channels })
}

/** The output batch shape from spatial sizes and channels in the layer's data format. */
export const outShape = (batch: number | null, spatial: ReadonlyArray<number | null>, channels: number, fmt: DataFormat): BatchShape =>
  Object.freeze(fmt === 'channels_last' ? [batch, ...spatial, channels] : [batch, channels, ...spatial])

/** Output length of a convolution (or pooling) axis under Keras padding (null stays null). */
export const convLength = (s: number | null, k: number, stride: number, padding: SpatialPadding, dilation: number): number | null => {
  if (s === null) return null
  if (padding === 'same') return Math.ceil(s / stride)
  if (padding === 'causal') return windowOutLength(s, k, stride, (k - 1) * dilation, 0, 1, dilation)
  return windowOutLength(s, k, stride, 0, 0, 1, dilation)
}

/** The spatial output lengths, or an error when the (dilated) window is larger than the input. */
export const windowOut = (
  layer: string,
  s: BatchShape,
  spatial: ReadonlyArray<number | null>,
  k: ReadonlyArray<number>,
  strides: ReadonlyArray<number>,
  padding: SpatialPadding,
  dilation: ReadonlyArray<number> | undefined,
  what = 'the (dilated) kernel'
): E.Either<TfError, Array<number | null>> => {
  const out = spatial.map((d, i) => convLength(d, k[i], strides[i], padding, dilation?.[i] ?? 1))
  return out.some((d) => d !== null && d <= 0) ? shapeErr(layer, `the input ${showShape(s)} is smaller than ${what} ${JSON.stringify(k)}`, 'a larger input', s) : E.right(out)
}

/** The geometry options of a convolution, as its constructor receives them. */
export interface GeometryOptions {
  readonly strides?: number | ReadonlyArray<number>
  readonly padding?: string
  readonly dataFormat?: DataFormat
  readonly dilationRate?: number | ReadonlyArray<number>
}

/** A convolution's geometry, read and checked. */
export interface Geometry {
  readonly k: number[]
  readonly strides: number[]
  readonly dilation: number[]
  readonly padding: SpatialPadding
  readonly fmt: DataFormat
}

/**
 * The geometry every convolution layer reads (Keras's `Conv*D`, `Conv2DTranspose`, `DepthwiseConv2D`,
 * `SeparableConv2D`): `kernelSize`, `strides`, `dilationRate` (one positive integer per axis, 1 by
 * default), `padding` and `dataFormat`, checked in that order.
 */
export const geometryE = (layer: string, kernelSize: unknown, opts: GeometryOptions, rank: number, allowCausal: boolean): E.Either<TfError, Geometry> =>
  pipe(
    tupleE(layer, 'kernelSize', kernelSize, rank, 1),
    E.bindTo('k'),
    E.bind('strides', () => tupleE(layer, 'strides', opts.strides, rank, 1)),
    E.bind('dilation', () => tupleE(layer, 'dilationRate', opts.dilationRate, rank, 1)),
    E.bind('padding', () => paddingE(layer, opts.padding, allowCausal)),
    E.bind('fmt', () => formatE(layer, opts.dataFormat))
  )

/**
 * What a windowed layer's `init` reads from its input shape: the channels, and the spatial output
 * lengths of a window `k` sliding with `strides` (an error when the input is smaller than the window).
 */
export const windowShapes = (
  layer: string,
  s: BatchShape,
  rank: number,
  fmt: DataFormat,
  k: ReadonlyArray<number>,
  strides: ReadonlyArray<number>,
  padding: SpatialPadding,
  dilation: ReadonlyArray<number> | undefined,
  what?: string
): E.Either<TfError, { readonly channels: number; readonly out: Array<number | null> }> =>
  pipe(
    inputDims(layer, s, rank, fmt),
    E.chain(({ spatial, channels }) => E.map((out: Array<number | null>) => ({ channels, out }))(windowOut(layer, s, spatial, k, strides, padding, dilation, what)))
  )

/** Run `f` channels-last: transpose a channels-first input in and the result back out. */
export const channelsLast = (x: Tensor, fmt: DataFormat, f: (x: Tensor) => Tensor): Tensor => {
  if (fmt === 'channels_last') return f(x)
  const r = x.shape.length
  const toLast = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]
  const toFirst = [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]
  return transpose(f(transpose(x, toLast)), toFirst)
}

/** `y + bias` (broadcast over the last axis), or `y` without a bias. */
export const addBias = (y: Tensor, bias: Tensor | undefined): Tensor => (bias === undefined ? y : add(y, bias))
