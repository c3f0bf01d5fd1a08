'use strict'
// Routing API: PUBLISH packets are delivered as positional arguments without
// building a packet object; every other packet as a full mqtt-packet object.
//
//   const r = router(opts, onPublish, onOther)
//   r.on('error', err => ...)       // an EventEmitter, like Parser
//   r.parse(chunk)                  // returns the bytes buffered
//
//   onPublish(topic, payload, qos, messageId, retain, dup, properties)
//     topic: string; payload: Buffer view of the chunk (zero-copy);
//     qos: 0 | 1 | 2; messageId: number (0 for QoS 0); retain, dup: boolean;
//     properties: v5 only, a PublishProperties (lib/publish-properties.js:
//       every PUBLISH property a field, undefined when absent; userProperties
//       built on first access; toObject() gives mqtt-packet's object), or
//       undefined when the packet has none.
//   onOther(packet): the mqtt-packet object of any other packet.
// Both are called synchronously inside parse(), with `this` the router.

const { Core } = require('./core')
const { buildPacket, str } = require('./build')
const { publishProps } = require('./publish-properties')
const { view } = require('./view')
const { TAPE: { PUBLISH_TOPIC, PUBLISH_MESSAGE_ID, PUBLISH_PAYLOAD, PUBLISH_PROPERTIES } } = require('./generated/protocol')

function noop () {}

class Router extends Core {
  constructor (opts, onPublish, onOther) {
    super()
    if (typeof onPublish !== 'function') throw new TypeError('mqttwire.router: onPublish must be a function')
    this._mwOnPublish = onPublish
    this._mwOnOther = typeof onOther === 'function' ? onOther : noop
    this._mwInit(opts)
  }

  _mwDeliver (buf, T, r, A, ab, bo) {
    const h = T[r]
    const type = h & 0xF
    if (type === 3) {
      const po = T[r + PUBLISH_PAYLOAD]
      this._mwOnPublish(
        str(buf, A, T[r + PUBLISH_TOPIC], T[r + PUBLISH_TOPIC + 1]),
        view(ab, bo + po, T[r + PUBLISH_PAYLOAD + 1]),
        (h >> 5) & 3,
        T[r + PUBLISH_MESSAGE_ID],
        (h & 0x10) !== 0,
        (h & 0x80) !== 0,
        ((h >> 8) & 0xFF) === 5 ? publishProps(buf, T, r + PUBLISH_PROPERTIES, A, ab, bo) : undefined
      )
      return
    }
    const packet = buildPacket(buf, T, r, A, ab, bo)
    if (type === 1) this.settings = packet
    this._mwOnOther(packet)
  }
}

/** Create a router (see lib/router.js and index.d.ts). */
function router (opts, onPublish, onOther) {
  return new Router(opts, onPublish, onOther)
}

module.exports = { Router, router }
