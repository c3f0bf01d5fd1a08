'use strict'
// mqttwire: drop-in replacement for mqtt-packet 9.0.2.
// Packets are framed and validated by a Rust core (napi-rs) that writes a u32
// tape per chunk; lib/ builds mqtt-packet objects from it.

const { Parser, parser } = require('./lib/parser')
const { Router, router } = require('./lib/router')
const { parseAsync } = require('./lib/parse-async')
const { errorMessage } = require('./lib/errors')
const native = require('./lib/native')
const { defaults } = require('./lib/defaults')

// No native binary: say so at load time, naming the platform and what was
// tried (lib/native.js loadFailure).
if (!native.hasNative) throw native.loadFailure()

// mqtt-packet's API
exports.parser = parser
exports.generate = require('./lib/generate')
exports.writeToStream = require('./lib/writeToStream')

// mqttwire additions
exports.Parser = Parser
exports.router = router
exports.Router = Router
exports.PublishProperties = require('./lib/publish-properties').PublishProperties
exports.parseAsync = parseAsync
exports.errorMessage = errorMessage
// Defaults for options not given: strict, maxPacketSize (lib/defaults.js)
exports.defaults = defaults
exports.hasNative = native.hasNative
exports.implementation = 'mqttwire'
