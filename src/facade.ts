/**
 * The notebook facade: Keras's `model.compile(opts)` on `Sequential` and `Model` values.
 *
 * Layers sit below training (docs/architecture.md), so `layers/` cannot import `train/`. This module,
 * above both, supplies the implementation (`layers/facade.ts` holds the slot) and adds the method's
 * type to the models by declaration merging. The public barrel (`src/index.ts`) imports it first; it
 * is the one place where the layers learn about training.
 *
 * @since 0.1.0
 */
import type { Tree } from './core/Tree.js'
import { installCompile } from './layers/facade.js'
import type { Trainer } from './train/Trainer.js'
import type { CompileOptionsInput } from './train/options.js'
import { compileOrThrow } from './train/index.js'

installCompile(compileOrThrow)

declare module './layers/sequential.js' {
  interface Sequential<P extends ReadonlyArray<Tree>, S extends ReadonlyArray<Tree>> {
    /** Keras's `model.compile(opts)`: the immutable trainer (throws a TensorfoldError on bad options). */
    compile(options: CompileOptionsInput): Trainer
  }
}
declare module './layers/functional.js' {
  interface Model<O extends Ends, I extends Ends> {
    /** Keras's `model.compile(opts)`: the immutable trainer (throws a TensorfoldError on bad options). */
    compile(options: CompileOptionsInput): Trainer
  }
}
