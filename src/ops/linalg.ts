/** Linear algebra helpers on top of the matmul primitive. @since 0.1.0 */
import type { Tensor } from '../core/Tensor.js'
import { lift, matmul, reshape, mul, sum } from '../primitives/index.js'

/**
 * numpy-style `dot`: vectors give a scalar, a matrix and a vector give a vector, matrices multiply.
 * @example dot(tensor([1, 2]), tensor([3, 4])) // 11
 */
export const dot = (a: Tensor, b: Tensor): Tensor => {
  const x = lift('dot', a, 0)
  const y = lift('dot', b, 1)
  if (x.shape.length === 1 && y.shape.length === 1) return sum(mul(x, y))
  if (x.shape.length === 1) return reshape(matmul(reshape(x, [1, x.shape[0]]), y), y.shape.slice(0, -2).concat(y.shape.slice(-1)))
  if (y.shape.length === 1) return reshape(matmul(x, reshape(y, [y.shape[0], 1])), x.shape.slice(0, -1))
  return matmul(x, y)
}
