/**
 * @internal Deep freezing of public values (models, layers, trainers), so that no value reachable from
 * one can be written from outside: `Object.freeze` on every object, array and function reachable through
 * own properties (string and symbol keys, accessors left alone). Tensors are frozen by their
 * constructor and keep their storage in a private field, so the walk stops at them.
 *
 * A value frozen here is remembered (a WeakSet), so freezing a new trainer after each step walks only
 * what the step made (parameters, optimizer state), never the model and configuration again.
 *
 * Law: after `deepFreeze(v)`, every object reachable from `v` through own data properties, except
 * typed arrays and functions' `prototype`, is frozen.
 *
 * @since 0.3.0
 */
import { isTensor } from './Tensor.js'

const done = new WeakSet<object>()

/** @internal Freeze `v` and everything reachable from it (see the module header); returns `v`. */
export const deepFreeze = <T>(v: T): T => {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v
  const stack: object[] = [v as unknown as object]
  while (stack.length > 0) {
    const o = stack.pop() as object
    if (done.has(o) || isTensor(o) || ArrayBuffer.isView(o) || o instanceof ArrayBuffer) continue
    done.add(o)
    Object.freeze(o)
    for (const k of Reflect.ownKeys(o)) {
      if (k === 'prototype' && typeof o === 'function') continue
      const d = Object.getOwnPropertyDescriptor(o, k)
      if (d === undefined || !('value' in d)) continue
      const c: unknown = d.value
      if (c !== null && (typeof c === 'object' || typeof c === 'function') && !done.has(c)) stack.push(c)
    }
  }
  return v
}
