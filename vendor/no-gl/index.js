'use strict';
// gpu.js probes require('gl')(w, h) and treats a null context as "headless GL unavailable".
module.exports = function createContext() { return null; };
