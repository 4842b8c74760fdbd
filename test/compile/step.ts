/** The small training step (dense relu layer, random mask, MSE, SGD) the compiled-mode tests record and replay. */
import { valueAndGrad, mul, sub, matmul, relu, randomUniform, split, compare, mean, square, add, Tree, type Tensor } from '../../src/index.js'

export type P = { w: Tensor; b: Tensor }

export const step = (inp: { p: P; x: Tensor; y: Tensor }, k: Parameters<typeof split>[0]) => {
  const [k1] = split(k, 2)
  const mask = compare(randomUniform(k1, [inp.x.shape[0], 4]), 0.3, 'gt')
  const [loss, g] = valueAndGrad((p: P) => mean(square(sub(mul(relu(add(matmul(inp.x, p.w), p.b)), mask), inp.y))))(inp.p)
  return { p: Tree.zipWith(inp.p, g, (a, b) => sub(a, mul(0.1, b))), loss }
}
