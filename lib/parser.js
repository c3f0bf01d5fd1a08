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
const { PACKET_NAMES: TYPE_NAMES } = require('./generated/protocol')

/**
 * mqtt-packet's packet under construction, from the first bytes of a packet:
 * the header fields once its first byte is known, `length` (the Remaining
 * Length) once its whole fixed header is, -1 before.
 */
function headOf (p, n) {
  const packet = { cmd: null, retain: false, qos: 0, dup: false, length: -1, topic: null, payload: null }
  if (n === 0) return packet
  const b = p[0]
  packet.cmd = TYPE_NAMES[b >> 4]
  packet.retain = (b & 1) !== 0
  packet.qos = (b >> 1) & 3
  packet.dup = (b & 8) !== 0
  let length = 0
  for (let i = 1; i < n && i < 5; i++) {
    length += (p[i] & 0x7f) * 2 ** (7 * (i - 1))
    if (p[i] < 0x80) {
      packet.length = length
      break
    }
  }
  return packet
}

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

  /**
   * mqtt-packet's `parser.packet`, as Aedes 2 reads it after parse() to
   * refuse an oversized packet from its announced length before its body
   * arrives: the packet whose fixed header has arrived and whose body has not
   * (`cmd`, `retain`, `qos`, `dup`, and `length`, its Remaining Length, -1
   * while the fixed header is incomplete); after an error, the header of the
   * packet the error is in; otherwise an empty packet (`cmd: null`,
   * `length: -1`). Computed when read: parsing does not pay for it.
   */
  get packet () {
    if (this._mwPend !== null) return headOf(this._mwPend, Math.min(this._mwPendLen, 5))
    const bad = this._mwBadHead
    if (bad !== null && this.error !== null) return headOf(bad, bad.length)
    return headOf(null, 0)
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
