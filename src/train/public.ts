/**
 * The `Trainer` name of the public barrel: both the namespace of functions (`Trainer.compile`,
 * `Trainer.fit`, …) and the type of trainer values (`const t: Trainer = …`).
 * @since 0.1.0
 */
import * as TrainerNs from './index.js'

/**
 * The functional surface of training (see `train/index.ts`).
 * @namespace
 */
export const Trainer = TrainerNs
/** An immutable trainer (from `Trainer.compile` or `model.compile`). */
export type Trainer = TrainerNs.Trainer
