// Compiled with `tsc --noEmit` by __test__/types.test.js: code written against
// mqtt-packet's types must compile against mqttwire's, plus our additions.
import * as mqtt from '..'
import { parser, generate, writeToStream, Packet, IPublishPacket, IConnectPacket, QoS, UserProperties, router, PublishProperties, parseAsync, Parser, MqttwireError, defaults, MqttwireDefaults } from '..'
import { Writable } from 'stream'

const p: Parser = mqtt.parser({ protocolVersion: 5 })
p.on('packet', (packet: Packet) => {
  if (packet.cmd === 'publish') {
    const topic: string = packet.topic
    const qos: QoS = packet.qos
    const up: UserProperties | undefined = packet.properties?.userProperties
    void topic; void qos; void up
  }
})
p.on('error', (err: MqttwireError) => { console.log(err.code, err.rule, err.offset) })
const buffered: number = p.parse(Buffer.alloc(0))
void buffered

const connect: IConnectPacket = { cmd: 'connect', clientId: 'x', protocolVersion: 4, keepalive: 10 }
const buf: Buffer = generate(connect)
const pub: IPublishPacket = { cmd: 'publish', topic: 't', payload: 'x', qos: 1, dup: false, retain: false, messageId: 1 }
const ok: boolean = writeToStream(pub, new Writable())
writeToStream.cacheNumbers = false
void buf; void ok

const mqttjsOptions: Object = { protocolVersion: 4, keepalive: 60 }
parser(mqttjsOptions)

const r = router({ protocolVersion: 5, maxPacketSize: 1 << 20 }, function (topic, payload, qos, messageId, retain, dup, properties) {
  const t: string = topic
  const b: Buffer = payload
  const q: 0 | 1 | 2 = qos
  const id: number = messageId
  const flags: boolean = retain && dup
  const alias: number | undefined = properties?.topicAlias
  const up: UserProperties | undefined = properties?.userProperties
  if (properties instanceof PublishProperties) {
    properties.userProperties = { trace: 'x' }
    generate({ cmd: 'publish', topic, payload, qos, dup, retain, properties }, { protocolVersion: 5 })
    const plainProps: IPublishPacket['properties'] = properties.toObject()
    void plainProps
  }
  void t; void b; void q; void id; void flags; void alias; void up; void this.settings
}, (packet) => { void packet.cmd })
r.on('error', (e) => console.log(e.code))
r.parse(Buffer.alloc(0))

async function main (): Promise<void> {
  const packets: Packet[] = await parseAsync(new Uint8Array(0), { protocolVersion: 4 })
  void packets
}
void main
const impl: 'mqttwire' = mqtt.implementation
void impl

// lenient mode and process-wide defaults
const lenient = parser({ protocolVersion: 4, strict: false })
void lenient
const d: MqttwireDefaults = defaults
d.strict = false
d.maxPacketSize = 1 << 20
const s: boolean = mqtt.defaults.strict
void s
async function lenientAsync (): Promise<void> {
  await parseAsync(Buffer.alloc(0), { strict: false })
}
void lenientAsync
