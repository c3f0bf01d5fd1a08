'use strict'
// mqtt-packet compatible streaming parser.
//
//   const p = parser({ protocolVersion: 5 })
//   p.on('packet', function (packet) { ... this === p ... })
//   p.on('error', err => ...)
//   const buffered = p.parse(chunk)
//
// Like mqtt-packet: 'packet' is emitted synchronously inside parse(); the
// parser learns the protocol version from a CONNECT (`this.settings` becomes
// that packet); after an error the rest of the chunk is dropped and the next
// parse() starts afresh. Extensions: opts.strict (default true; false =
// mqtt-packet's leniency), opts.maxPacketSize (opts.framer: 'native' is accepted and ignored); the options not
// given come from lib/defaults.js (MQTTWIRE_STRICT=0, mqttwire.defaults).

const { Core } = require('./core')
const { buildPacket } = require('./build')

class Parser extends Core {
  constructor (opts) {
    super()
    this._mwInit(opts)
  }

  /** mqtt-packet compatibility: `Parser.parser(opts)` / `instance.parser(opts)`. */
  static parser (opts) {
    if (!(this instanceof Parser)) return new Parser(opts)
    this._mwInit(opts)
    return this
  }

  _mwDeliver (buf, T, r, A, ab, bo) {
    const packet = buildPacket(buf, T, r, A, ab, bo)
    // mqtt-packet parses what follows a CONNECT with that CONNECT's version
    if ((T[r] & 0xF) === 1) this.settings = packet
    // One listener (the usual case: Aedes, MQTT.js): call it as emit() would,
    // synchronously with `this` the parser, without emit()'s generic path.
    const l = this._events.packet
    if (typeof l === 'function') l.call(this, packet)
    else this.emit('packet', packet)
  }
}
Parser.prototype.parser = Parser.parser

/** Create a parser (mqtt-packet's `parser(opts)`). */
function parser (opts) {
  return new Parser(opts)
}

module.exports = { Parser, parser }
