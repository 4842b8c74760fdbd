/**
 * The notebook `model.compile(opts)`. Training lives above layers (DESIGN §1), so models cannot import
 * it. This module holds the slot; `src/facade.ts` (above both layers and training, imported by the
 * public barrel) fills it and adds the method's precise type to `Sequential` and `Model`.
 *
 * @since 0.1.0
 */
import { fail } from '../core/errors.js'
import type { ModelLike } from './Model.js'

type CompileImpl = (model: ModelLike, options: never) => unknown
let impl: CompileImpl | undefined

/** @internal Called once, by `src/facade.ts`. */
export const installCompile = (f: CompileImpl): void => {
  impl = f
}

/** @internal What `model.compile(opts)` runs. */
export const compileModel = (model: ModelLike, options: unknown): unknown =>
  impl === undefined
    ? fail('CompileUnavailable', "model.compile: the training module is not loaded; import from 'tensorfold' (or use Trainer.compile)", {})
    : impl(model, options as never)
