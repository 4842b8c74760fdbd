/**
 * @internal The plan compiled mode records and replays: a flat list of steps over numbered slots.
 *
 * @since 0.2.0
 */
import type { Tensor, DType } from '../core/Tensor.js'
import type * as Tree from '../core/Tree.js'
import type { Key } from '../core/Key.js'
import type { Shape } from '../core/Shape.js'
import type { PrimitiveDef, OutSpec } from '../primitives/bind.js'
import type { AnyBackend, Expr } from '../backend/Backend.js'

/** Where a step's input comes from: the i-th input leaf, a slot written by an earlier step, or a captured constant. */
export type Ref = { readonly k: 'in'; readonly i: number } | { readonly k: 'slot'; readonly i: number } | { readonly k: 'const'; readonly t: Tensor }

/** A primitive executed on concrete inputs (a `scan` carries its whole recorded body in `params`). */
export interface OpStep {
  readonly kind: 'op'
  readonly def: PrimitiveDef<unknown>
  readonly params: unknown
  readonly ins: ReadonlyArray<Ref>
  readonly inShapes: ReadonlyArray<Shape>
  readonly spec: OutSpec
  readonly out: number
}
/** A random tensor, drawn again on replay from the new key along the same derivation path. */
export interface RandomStep {
  readonly kind: 'random'
  readonly regenerate: (root: Key) => Tensor
  readonly out: number
}
/** A chain of elementwise primitives merged into one expression (see `fuse.ts`). */
export interface FusedStep {
  readonly kind: 'fused'
  readonly expr: Expr
  readonly ins: ReadonlyArray<Ref>
  readonly inShapes: ReadonlyArray<Shape>
  readonly shape: Shape
  readonly out: number
  /**
   * More results over the same inputs and shape, computed with `expr` in one kernel where the backend
   * can (`Backend.fusedMany`; `fuseSiblings` in `fuse.ts`): an expression may contain the very objects
   * of the ones before it, which a kernel computes once.
   */
  readonly more?: ReadonlyArray<{ readonly expr: Expr; readonly out: number }>
}
export type Step = OpStep | RandomStep | FusedStep

/** A recorded computation: its backend, steps, slot count and where its outputs come from. */
export interface Plan {
  readonly backend: AnyBackend
  readonly steps: ReadonlyArray<Step>
  readonly slots: number
  readonly outStructure: Tree.Structure
  readonly outs: ReadonlyArray<Ref>
  readonly outMeta: ReadonlyArray<{ readonly shape: Shape; readonly dtype: DType }>
}

export const sameRef = (a: Ref, b: Ref): boolean => a.k === b.k && (a.k === 'const' ? a.t === (b as { t: Tensor }).t : a.i === (b as { i: number }).i)
