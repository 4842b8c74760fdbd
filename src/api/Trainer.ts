/**
 * The `Trainer` name of the public barrel: both the namespace of functions (`Trainer.compile`,
 * `Trainer.fit`, …) and the type of trainer values (`const t: Trainer = …`).
 * @since 0.1.0
 */
import type { Trainer as TrainerClass } from '../train/Trainer.js'
import * as TrainerNs from './TrainerNs.js'

/**
 * The functional surface of training: every function returns `Either` or `TaskEither`.
 * @namespace
 */
export const Trainer = TrainerNs
/** An immutable trainer (from `Trainer.compile` or `model.compile`). */
export type Trainer = TrainerClass
