/** Automatic differentiation: vjp, grad, valueAndGrad, hvp, jvp, customVjp, stopGradient. @since 0.1.0 */
export { vjp, stopGradient, isTraced } from './vjp.js'
export { grad, valueAndGrad, hvp, jvp, customVjp, vdot } from './grad.js'
export { scan, scanE, type ScanOptions } from './scan.js'
