/**
 * The public `Metric` namespace: Keras's metrics as monoids over batches.
 * @since 0.1.0
 */
export {
  accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy,
  meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredLogarithmicError, logCoshError,
  hinge, squaredHinge, categoricalHinge, cosineSimilarity, klDivergence, poisson, precision, recall, auc,
  mean, named, fromFunction, metricFromName, metricNames, metricFamily, resolveMetric,
  type Metric, type AnyMetric, type MeanMetric, type MeanState, type ConfusionState, type AucState,
  type MetricOptions, type ConfusionOptions, type AucOptions, type MetricContext, type MetricFamily, type MetricSpec
} from '../metrics/index.js'
