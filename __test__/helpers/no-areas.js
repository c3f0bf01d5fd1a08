'use strict'
// Preload (node --require): the addon as Node-API gives it where external
// ArrayBuffers are refused (a V8 sandbox, as in Electron): no input area, no
// area tape, no frameInput. lib/native.js then frames every read with
// frame(buf, T); __test__/no-areas.test.js runs suites this way.
const binding = require('../../binding.js')
delete binding.input
delete binding.tape
delete binding.frameInput
if (require('../../lib/native.js').tape !== null) throw new Error('no-areas preload: lib/native.js still has an area tape')
