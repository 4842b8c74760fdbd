/**
 * Masks: which time steps of a sequence are real. A layer may carry `computeMask(x, inputMask)` (the
 * mask of its output; `embedding({maskZero})`, `masking`, recurrent layers with `returnSequences`, the
 * wrappers); layers that work per step (`dense`, activations, `dropout`, …) pass the mask on unchanged;
 * any other layer ends it. Models thread the mask from layer to layer through `ctx.mask` (`[batch,
 * time]`, 1 = real step), and report the mask of each output, so losses skip masked steps.
 *
 * @since 0.2.0
 */
import type { Tensor } from '../core/Tensor.js'
import type { AnyLayer, LayerIO } from './Layer.js'
import type { Ctx } from './Model.js'

/** Kinds that work per time step and so pass a mask on unchanged (Keras's `supports_masking`). */
export const MASK_PASSING: ReadonlySet<string> = new Set(['Dense', 'Activation', 'Dropout', 'LeakyReLU', 'Identity', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'LayerNormalization', 'BatchNormalization'])

/** The mask of a layer's output: one mask, or one per output for a multi-output layer. */
export type OutputMask = Tensor | undefined | ReadonlyArray<Tensor | undefined>

type Masked = {
  readonly computeMask?: (x: LayerIO, mask: Tensor | undefined, masks?: ReadonlyArray<Tensor | undefined>) => OutputMask
}

/**
 * The mask of a layer's output, given its input and the input's mask. A multi-input layer is given
 * `masks` (one per input; `mask` is then the first one) and ends the mask unless it has `computeMask`.
 */
export const nextMask = (layer: AnyLayer, x: LayerIO, mask: Tensor | undefined, masks?: ReadonlyArray<Tensor | undefined>): Tensor | undefined => {
  const m = outputMask(layer, x, mask, masks)
  return Array.isArray(m) ? undefined : (m as Tensor | undefined)
}

/**
 * The mask of a layer's output(s) after it was applied: the mask its `apply` reported (models used as
 * layers), else its `computeMask` (one mask per output for a multi-output layer, as Keras's
 * `compute_mask`), else its input mask if it works per step.
 */
export const outputMask = (layer: AnyLayer, x: LayerIO, mask: Tensor | undefined, masks?: ReadonlyArray<Tensor | undefined>, applied?: { readonly mask?: OutputMask }): OutputMask => {
  if (applied !== undefined && 'mask' in applied) return applied.mask
  const cm = (layer as AnyLayer & Masked).computeMask
  if (typeof cm === 'function') return masks === undefined ? cm(x, mask) : cm(x, mask, masks)
  return mask !== undefined && masks === undefined && layer.multiOutput !== true && MASK_PASSING.has(layer.kind) ? mask : undefined
}

/** The input masks a multi-input layer was given (one per input), if any input has one. */
export const masksOf = (ctx: Ctx): ReadonlyArray<Tensor | undefined> | undefined => ctx.masks

/** A context carrying the input masks of a multi-input layer (none when every one is undefined). */
export const ctxWithMasks = (ctx: Ctx, masks: ReadonlyArray<Tensor | undefined>): Ctx => {
  const { mask: _m, masks: _ms, ...rest } = ctx
  return masks.some((m) => m !== undefined) ? { ...rest, masks } : rest
}

/** A context carrying `mask` (or none). */
export const ctxWithMask = (ctx: Ctx, mask: Tensor | undefined): Ctx => {
  if (mask === undefined) {
    if (ctx.mask === undefined && ctx.masks === undefined) return ctx
    const { mask: _dropped, masks: _ms, ...rest } = ctx
    return rest
  }
  const { masks: _ms, ...rest } = ctx
  return { ...rest, mask }
}

/** @internal The mask a layer's input carries (`[batch, time]`, 1 = real step), if any. */
export const maskOf = (ctx: Ctx): Tensor | undefined => (ctx as Ctx & { readonly mask?: Tensor }).mask

/**
 * @internal Give a layer a mask rule: `computeMask(x, inputMask)` is the mask of its output
 * (`undefined`: no mask). Models call it after the layer; see `docs/layers.md` (masking).
 */
export const withMask = <L extends object>(layer: L, computeMask: ((x: Tensor, mask: Tensor | undefined) => Tensor | undefined | ReadonlyArray<Tensor | undefined>) | undefined): L =>
  computeMask === undefined ? layer : Object.freeze({ ...layer, computeMask })
