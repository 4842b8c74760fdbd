/**
 * Random tensors from explicit keys. Same key, same numbers, on every backend.
 * @since 0.1.0
 */
import { type Key, uniforms, normals, rederive } from './Key.js'
import { type Tensor, fromBuffer, allocFloat, allocating } from './Tensor.js'
import { type Shape, size, isShape } from './Shape.js'
import { fail, show } from './errors.js'
import { activeRecorder } from './recorder.js'

/** Report a random tensor drawn from a key derived from a marked root to the active recorder (compiled mode). */
const observed = (k: Key, out: Tensor, again: (k2: Key) => Tensor): Tensor => {
  const rec = activeRecorder()?.random
  if (rec !== undefined && k.origin !== undefined) {
    const origin = k.origin
    rec(out, (root) => again(rederive(root, origin)))
  }
  return out
}

const checkArgs = (op: string, k: Key, shape: Shape): void => {
  if (typeof k !== 'object' || k === null || (k as Key)._tag !== 'Key') fail('InvalidArgument', `${op}: expected a Key (from key(seed)) as first argument, received ${show(k)}`, { op, expected: 'Key', received: k })
  if (!isShape(shape)) fail('InvalidShape', `${op}: expected a shape (array of non-negative integers), received ${show(shape)}`, { op, expected: 'shape', received: shape })
}

/** Normal samples. @example randomNormal(key(0), [2, 3], 0, 0.05) */
export const randomNormal = (k: Key, shape: Shape, mean = 0, stddev = 1): Tensor => {
  checkArgs('randomNormal', k, shape)
  // a shape past the limit, or memory that is not there, is a ResourceLimit naming the shape
  return allocating('randomNormal', shape, () => {
    const n = size(shape)
    const z = normals(k, n)
    const out = allocFloat(n)
    for (let i = 0; i < n; i++) out[i] = mean + stddev * z[i]
    return observed(k, fromBuffer(out, shape), (k2) => randomNormal(k2, shape, mean, stddev))
  })
}

/** Normal samples redrawn until within two standard deviations (Keras's truncated normal). */
export const truncatedNormal = (k: Key, shape: Shape, mean = 0, stddev = 1): Tensor => {
  checkArgs('truncatedNormal', k, shape)
  // a shape past the limit, or memory that is not there, is a ResourceLimit naming the shape
  return allocating('truncatedNormal', shape, () => {
    const n = size(shape)
    const out = allocFloat(n)
    let z = normals(k, 2 * n + 16)
    let j = 0
    let round = 0
    for (let i = 0; i < n; i++) {
      for (;;) {
        if (j >= z.length) {
          z = normals({ _tag: 'Key', state: [k.state[0] ^ ++round, k.state[1], k.state[2], k.state[3]] }, 2 * n + 16)
          j = 0
        }
        const v = z[j++]
        if (Math.abs(v) <= 2) {
          out[i] = mean + stddev * v
          break
        }
      }
    }
    return observed(k, fromBuffer(out, shape), (k2) => truncatedNormal(k2, shape, mean, stddev))
  })
}

/** Uniform samples in `[minval, maxval)`. @example randomUniform(key(0), [3], -1, 1) */
export const randomUniform = (k: Key, shape: Shape, minval = 0, maxval = 1): Tensor => {
  checkArgs('randomUniform', k, shape)
  // a shape past the limit, or memory that is not there, is a ResourceLimit naming the shape
  return allocating('randomUniform', shape, () => {
    const n = size(shape)
    const u = uniforms(k, n)
    const out = allocFloat(n)
    for (let i = 0; i < n; i++) out[i] = minval + (maxval - minval) * u[i]
    return observed(k, fromBuffer(out, shape), (k2) => randomUniform(k2, shape, minval, maxval))
  })
}

/** Uniform integers in `[minval, maxval)` as int32. */
export const randomInt = (k: Key, shape: Shape, minval: number, maxval: number): Tensor => {
  checkArgs('randomInt', k, shape)
  // a shape past the limit, or memory that is not there, is a ResourceLimit naming the shape
  return allocating('randomInt', shape, () => {
    const n = size(shape)
    const u = uniforms(k, n)
    const out = new Int32Array(n)
    for (let i = 0; i < n; i++) out[i] = minval + Math.floor((maxval - minval) * u[i])
    return observed(k, fromBuffer(out, shape, 'int32'), (k2) => randomInt(k2, shape, minval, maxval))
  })
}

/** A seeded permutation of `0..n-1` (Fisher–Yates). @example shuffleIndices(key(1), 5) */
export const shuffleIndices = (k: Key, n: number): Int32Array => {
  const u = uniforms(k, n)
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i] * (i + 1))
    const t = p[i]
    p[i] = p[j]
    p[j] = t
  }
  return p
}
