/**
 * `tensorfold/laws`: the laws tensorfold is tested against, for users to check their own functions.
 * Pure predicates (`checkGrads`, `checkJvp`, `adjointGap`, `backendAgreement`) plus fast-check arbitraries and the
 * catalogue of op cases.
 *
 * @example
 * import { checkGrads } from 'tensorfold/laws'
 * expect(checkGrads((x) => sum(mul(x, sin(x))), tensor([0.3, 1.2])).ok).toBe(true)
 *
 * @since 0.1.0
 * @module tensorfold/laws
 */
export { checkGrads, checkJvp, adjointGap, seededValues, type GradCheckOptions, type GradCheckReport } from './gradcheck.js'
export { backendAgreement, secondDerivativeCheck, type AgreementReport } from './backend.js'
export * from './arbitraries.js'
export { opCases, type OpCase, type OpInstance } from './ops.js'
export {
  treesClose, runUpdates, optimizerIdentityLaw, chainUnitLaw, chainAssociativityLaw, optimizerStructureLaw, sgdStepLaw, paramsAndGradsArb,
  checkOptimizerLaws, checkChainAssociativity, checkIdentityAndSgd, type OptimizerLawOptions
} from './optimizers.js'
export {
  concatBatches, statesClose, metricUnitLaw, metricAssociativityLaw, metricHomomorphismLaw, batchArb, batchArbOfSize, batchPairArb, checkMetricLaws,
  type Batch, type BatchKind, type BatchOptions
} from './metrics.js'
export { shapeLaw, seedLaw, inferenceIdentityLaw, associativityLaw, identityLaw, checkLayerLaws, layerCaseArb, chainArb, sampleInput, maxAbsDiff, type LayerCase } from './layers.js'
export { compiledMatchesEager, type CompiledEagerReport } from './train.js'
export { batchUnbatchLaw, shufflePermutationLaw, shuffleDeterminismLaw, takeSkipLaw, mapCompositionLaw, tensorDatasetArb, checkDatasetLaws, passValues } from './data.js'
export { writesCannotChange, type WriteProbeReport } from './immutability.js'
