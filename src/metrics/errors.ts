/**
 * The tags that `metrics/` raises besides the tensor stack's: a closed list (see docs/errors.md).
 *
 * @since 0.2.0
 */
import type { TfError, ValueErrorTag } from '../core/errors.js'

/** An unknown metric name; a bad option or argument (a metric spec, `numThresholds`): `path`, `expected`, `received`. */
export const METRIC_ERROR_TAGS = ['UnknownMetric', 'InvalidOption'] as const
/** A tag of `metrics/`. */
export type MetricErrorTag = (typeof METRIC_ERROR_TAGS)[number]
/** An error of `metricFromName` and the metric resolvers. */
export type MetricError = TfError<MetricErrorTag | ValueErrorTag>
