/**
 * Weights as bytes, in the TensorFlow.js manifest format: a list of `{name, shape, dtype}` and the
 * values concatenated, little-endian, in that order. Decoding checks everything the manifest claims
 * *before* allocating: every shape is small integers, the element total is bounded, the byte total
 * equals the size of the files that are really there, and names are unique.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, fromBuffer, dataSync, bufferOf, currentFloatStorage } from '../core/Tensor.js'
import { ioError, type IoError } from './errors.js'
import type { WeightEntry, WeightsManifest } from './codecs.js'

/** A named tensor, as saved. */
export interface NamedTensor {
  readonly name: string
  readonly tensor: Tensor
  /** `optimizer` for tensorfold's trainer weights */
  readonly group?: 'model' | 'optimizer'
}

/** The default bound on the elements of one file set (2^28 values: 1 GiB of float32). */
export const DEFAULT_MAX_ELEMENTS = 2 ** 28

/** Encode named tensors: the manifest entries and the bytes. */
export const encodeWeights = (ws: ReadonlyArray<NamedTensor>): { readonly entries: ReadonlyArray<WeightEntry>; readonly data: Uint8Array } => {
  const total = ws.reduce((n, w) => n + w.tensor.size * 4, 0)
  const data = new Uint8Array(total)
  const view = new DataView(data.buffer)
  let off = 0
  const entries = ws.map((w) => {
    const dtype = w.tensor.dtype
    if (dtype === 'int32') {
      const b = bufferOf(w.tensor)
      for (let i = 0; i < b.length; i++, off += 4) view.setInt32(off, b[i], true)
    } else {
      const b = dataSync(w.tensor)
      for (let i = 0; i < b.length; i++, off += 4) view.setFloat32(off, b[i], true)
    }
    const e: WeightEntry = { name: w.name, shape: [...w.tensor.shape], dtype, ...(w.group === 'optimizer' ? { group: 'optimizer' as const } : {}) }
    return e
  })
  return { entries, data }
}

/** What one manifest group needs from the files: its total byte size, checked before reading. */
export interface GroupPlan {
  readonly paths: ReadonlyArray<string>
  readonly entries: ReadonlyArray<WeightEntry>
  readonly bytes: number
}

/**
 * Check a manifest before reading any weights: unique names, bounded element total.
 * Returns per group the number of bytes its files must hold.
 */
export const planManifest = (file: string, manifest: WeightsManifest, maxElements: number = DEFAULT_MAX_ELEMENTS): E.Either<IoError, ReadonlyArray<GroupPlan>> => {
  const seen = new Set<string>()
  let elements = 0
  const plans: GroupPlan[] = []
  for (let g = 0; g < manifest.length; g++) {
    const group = manifest[g]
    let bytes = 0
    for (let i = 0; i < group.weights.length; i++) {
      const w = group.weights[i]
      const where = `${file}: weightsManifest[${g}].weights[${i}]`
      if (seen.has(w.name)) return E.left(ioError('InvalidModelFile', `${where}.name`, 'unique weight names', w.name))
      seen.add(w.name)
      let n = 1
      for (const d of w.shape) {
        n *= d
        // checked per axis so the product never leaves the safe integers
        if (n > maxElements) break
      }
      elements += n
      if (elements > maxElements)
        return E.left(ioError('FileTooLarge', `${where}.shape`, `at most ${maxElements} weight values in all`, w.shape, `${where}.shape: the manifest declares more than ${maxElements} weight values (shape ${JSON.stringify(w.shape)}); refusing to allocate them`))
      bytes += n * 4
    }
    if (group.paths.length === 0 && bytes > 0) return E.left(ioError('InvalidModelFile', `${file}: weightsManifest[${g}].paths`, 'at least one file for a group with weights', []))
    plans.push({ paths: group.paths, entries: group.weights, bytes })
  }
  return E.right(plans)
}

/**
 * Decode one group's bytes (already read, and of exactly the planned size) into named tensors.
 * New tensors get the current float storage.
 */
export const decodeGroup = (plan: GroupPlan, data: Uint8Array): ReadonlyArray<NamedTensor> => {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  let off = 0
  return plan.entries.map((e) => {
    const n = e.shape.reduce((p, d) => p * d, 1)
    let t: Tensor
    if (e.dtype === 'int32') {
      const b = new Int32Array(n)
      for (let i = 0; i < n; i++, off += 4) b[i] = view.getInt32(off, true)
      t = fromBuffer(b, e.shape, 'int32')
    } else {
      const b = currentFloatStorage() === 'float64' ? new Float64Array(n) : new Float32Array(n)
      for (let i = 0; i < n; i++, off += 4) b[i] = view.getFloat32(off, true)
      t = fromBuffer(b, e.shape, 'float32')
    }
    return { name: e.name, tensor: t, ...(e.group ? { group: e.group } : {}) }
  })
}
