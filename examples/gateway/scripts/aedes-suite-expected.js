// Aedes' own tests that pass on stock mqtt-packet and fail with mqttwire in its
// default (strict) mode, each for a reason the MQTT specification gives:
// "file :: test name" -> why. Lenient mode (MQTTWIRE_STRICT=0) passes all of
// them. test/aedes-suite.test.js fails when a test fails that is not listed
// here, and when a listed test passes (the list must stay true).
// docs/strictness.md has the same table.

const ZERO_ID = 'SUBSCRIBE with packet identifier 0: [MQTT-2.3.1-1] requires a non-zero identifier; ' +
  'Aedes answers it with a SUBACK, strict mqttwire refuses the packet (ZeroPacketId) and the connection closes'
const WILDCARD = 'PUBLISH topic with a wildcard: [MQTT-3.3.2-2]; Aedes refuses it with its own error and closes ' +
  'the connection (no reason code, v5 included); strict mqttwire refuses it first (TopicWildcard): same close, ' +
  'the test expects Aedes\' error message'
const CONNACK_6 = 'Aedes answers a keep-alive over its limit with CONNACK return code 6, undefined in 3.1.1 ' +
  '(0-5, [MQTT-3.2.2-6]): the test\'s own parser, mqttwire too, refuses it (InvalidConnackCode)'
const WILL_DELAY = 'Aedes 2.0.0-beta.1 publishes a will with its Will Delay Interval property, which a PUBLISH ' +
  'must not carry (MQTT 5 table 2-4): the test\'s MQTT.js client, on strict mqttwire, refuses that PUBLISH ' +
  '(PropertyNotAllowed). The gateway strips the property from what it forwards'

export const STRICT_DIFFERS = {
  '1.2.0': {
    'basic.js :: subscribe with messageId 0 should return suback': ZERO_ID,
    'topics.js :: publish invalid topic with #': WILDCARD,
    'topics.js :: publish invalid topic with +': WILDCARD,
    'connect.js :: reject client requested for unacceptable protocol version':
      'CONNECT \'MQIsdp\' with level 5: the name and the level disagree ([MQTT-3.1.2-1], ProtocolNameMismatch); ' +
      'Aedes 1.x answers CONNACK 1 itself',
    'connect.js :: reject clients that exceed the keepalive limit': CONNACK_6
  },
  '2.0.0-beta.1': {
    'basic.js :: subscribe with messageId 0 should return suback': ZERO_ID,
    'topics.js :: publish invalid topic with #': WILDCARD,
    'topics.js :: publish invalid topic with +': WILDCARD,
    'connect.js :: reject clients that exceed the keepalive limit': CONNACK_6,
    'mqtt5.js :: MQTT 5.0 will delay interval defers the will, then publishes it': WILL_DELAY,
    'mqtt5.js :: MQTT 5.0 Will Delay Interval is capped by the Session Expiry Interval': WILL_DELAY,
    'mqtt5.js :: MQTT 5.0 pendingSessionsLimit publishes an over-cap delayed will immediately': WILL_DELAY
  }
}
