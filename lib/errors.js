'use strict'
// Error codes of the tape (T[2] / T[3]) -> mqtt-packet-compatible Error objects.
//
// This file mirrors src/error.rs (ErrorKind::code / param / message / rule /
// is_stricter_than_mqtt_packet / relaxed_when_lenient) so that the pure-JS framer works without the
// native addon. __test__/errors.test.js checks it against the binding's
// errorMessage(code, param) when the addon is built.

// Packet type number -> name (mqtt-packet's cmd strings; Rust PacketType::name).
const TYPE_NAMES = [
  'reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel',
  'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq',
  'pingresp', 'disconnect', 'auth'
]
// Required fixed-header flags per type (MQTT table 2-2; Rust PacketType::required_flags).
const REQUIRED_FLAGS = [0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0]

// Field number -> name (Rust Field::name).
const FIELD_NAMES = [
  'protocol name', 'protocol level', 'connect flags', 'keep alive',
  'client identifier', 'will topic', 'will payload', 'user name', 'password',
  'topic', 'packet identifier', 'topic filter', 'subscription options',
  'connack flags', 'return code', 'reason code', 'properties', 'property value',
  'remaining length'
]
const FIELD = {
  ProtocolName: 0,
  ProtocolLevel: 1,
  ConnectFlags: 2,
  KeepAlive: 3,
  ClientId: 4,
  WillTopic: 5,
  WillPayload: 6,
  Username: 7,
  Password: 8,
  Topic: 9,
  PacketId: 10,
  TopicFilter: 11,
  SubscriptionOptions: 12,
  ConnackFlags: 13,
  ReturnCode: 14,
  ReasonCode: 15,
  Properties: 16,
  PropertyValue: 17,
  RemainingLength: 18
}

// v5 property id -> name (mqtt-packet's property names; Rust properties::property_name).
const PROPERTY_NAMES = []
PROPERTY_NAMES[1] = 'payloadFormatIndicator'
PROPERTY_NAMES[2] = 'messageExpiryInterval'
PROPERTY_NAMES[3] = 'contentType'
PROPERTY_NAMES[8] = 'responseTopic'
PROPERTY_NAMES[9] = 'correlationData'
PROPERTY_NAMES[11] = 'subscriptionIdentifier'
PROPERTY_NAMES[17] = 'sessionExpiryInterval'
PROPERTY_NAMES[18] = 'assignedClientIdentifier'
PROPERTY_NAMES[19] = 'serverKeepAlive'
PROPERTY_NAMES[21] = 'authenticationMethod'
PROPERTY_NAMES[22] = 'authenticationData'
PROPERTY_NAMES[23] = 'requestProblemInformation'
PROPERTY_NAMES[24] = 'willDelayInterval'
PROPERTY_NAMES[25] = 'requestResponseInformation'
PROPERTY_NAMES[26] = 'responseInformation'
PROPERTY_NAMES[28] = 'serverReference'
PROPERTY_NAMES[31] = 'reasonString'
PROPERTY_NAMES[33] = 'receiveMaximum'
PROPERTY_NAMES[34] = 'topicAliasMaximum'
PROPERTY_NAMES[35] = 'topicAlias'
PROPERTY_NAMES[36] = 'maximumQoS'
PROPERTY_NAMES[37] = 'retainAvailable'
PROPERTY_NAMES[38] = 'userProperties'
PROPERTY_NAMES[39] = 'maximumPacketSize'
PROPERTY_NAMES[40] = 'wildcardSubscriptionAvailable'
PROPERTY_NAMES[41] = 'subscriptionIdentifiersAvailable'
PROPERTY_NAMES[42] = 'sharedSubscriptionAvailable'

function propertyName (id) {
  return PROPERTY_NAMES[id] || 'unknown'
}

// Stable numeric codes (ErrorKind::code).
const E = {
  ReservedPacketType: 1,
  InvalidHeaderFlags: 2,
  PublishQos3: 3,
  VarIntTooLong: 4,
  VarIntNotMinimal: 5,
  PacketTooLarge: 6,
  Truncated: 7,
  TrailingBytes: 8,
  InvalidUtf8: 9,
  NullCharacter: 10,
  InvalidProtocolName: 11,
  InvalidProtocolLevel: 12,
  ProtocolNameMismatch: 13,
  ConnectReservedFlag: 14,
  WillRetainWithoutWill: 15,
  WillQosWithoutWill: 16,
  WillQos3: 17,
  PasswordWithoutUsername: 18,
  ConnackReservedFlags: 19,
  InvalidConnackCode: 20,
  TopicWildcard: 21,
  EmptyTopic: 22,
  ZeroPacketId: 23,
  NoPayload: 24,
  NoTopicFilters: 25,
  SubscriptionOptionsReserved: 26,
  SubscribeQos3: 27,
  RetainHandling3: 28,
  MissingSubscriptionOptions: 29,
  InvalidTopicFilter: 30,
  SharedSubscriptionNoLocal: 31,
  InvalidSubackCode: 32,
  NoReturnCodes: 33,
  UnsubackLength: 34,
  InvalidUnsubackCode: 35,
  InvalidReasonCode: 36,
  AuthBeforeV5: 37,
  PropertyIdZero: 38,
  UnknownProperty: 39,
  PropertyNotAllowed: 40,
  DuplicateProperty: 41,
  InvalidPropertyValue: 42,
  PublishDupQos0: 43,
  ConnackSessionPresent: 44
}

// code -> kind name, and -> err.code string ('MQTTWIRE_' + SCREAMING_SNAKE of the kind).
const KIND_NAMES = []
const CODE_STRINGS = []
for (const name of Object.keys(E)) {
  KIND_NAMES[E[name]] = name
  CODE_STRINGS[E[name]] = 'MQTTWIRE_' + name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

// ErrorKind::rule
const RULES = []
RULES[1] = 'MQTT-2.1.3 (packet type 0 is reserved)'
RULES[2] = 'MQTT-2.2.2-1'
RULES[3] = 'MQTT-3.3.1-4'
RULES[4] = 'MQTT-1.5.5 (at most four bytes)'
RULES[5] = 'MQTT-1.5.5-1'
RULES[6] = 'MQTT-3.1.2-24 (Maximum Packet Size)'
RULES[7] = 'MQTT-4.13 (malformed packet: remaining length too short)'
RULES[8] = 'MQTT-4.13 (malformed packet: bytes after the last field)'
RULES[9] = 'MQTT-1.5.4-1'
RULES[10] = 'MQTT-1.5.4-2'
RULES[11] = 'MQTT-3.1.2-1'
RULES[12] = 'MQTT-3.1.2-2'
RULES[13] = 'MQTT-3.1.2-1 (name and level disagree)'
RULES[14] = 'MQTT-3.1.2-3'
RULES[15] = 'MQTT-3.1.2-15'
RULES[16] = 'MQTT-3.1.2-13'
RULES[17] = 'MQTT-3.1.2-14'
RULES[18] = 'MQTT-3.1.2-22'
RULES[19] = 'MQTT-3.2.2-1'
RULES[20] = 'MQTT-3.2.2-8 (table 3.1 / 3-1)'
RULES[21] = 'MQTT-3.3.2-2'
RULES[22] = 'MQTT-4.7.3-1'
RULES[23] = 'MQTT-2.2.1-3'
RULES[24] = 'MQTT-4.13 (malformed packet: no payload)'
RULES[25] = 'MQTT-3.8.3-3 / MQTT-3.10.3-2'
RULES[26] = 'MQTT-3.8.3-5'
RULES[27] = 'MQTT-3-8.3-4'
RULES[28] = 'MQTT-3.8.3-5 (Retain Handling 3 is reserved)'
RULES[29] = 'MQTT-3.8.3 (each filter has an options byte)'
RULES[30] = 'MQTT-4.7.1-1 / MQTT-4.7.3-1'
RULES[31] = 'MQTT-3.8.3-4'
RULES[32] = 'MQTT-3.9.3-2'
RULES[33] = 'MQTT-3.9.3-1'
RULES[34] = 'MQTT-3.11.1 (remaining length 2)'
RULES[35] = 'MQTT-3.11.3-1'
RULES[36] = 'MQTT-2.4 (reason code not defined for this packet)'
RULES[37] = 'MQTT-3.15 (AUTH exists in 5.0 only)'
RULES[38] = 'MQTT-2.2.2.2 (property identifier 0)'
RULES[39] = 'MQTT-2.2.2.2 (unknown property identifier)'
RULES[40] = 'MQTT-2.2.2.2 (property not allowed in this packet)'
RULES[41] = 'MQTT-2.2.2.2 (property included more than once)'
RULES[42] = 'MQTT-3.1.2.11 (property value out of range)'
RULES[43] = 'MQTT-3.3.1-2'
RULES[44] = 'MQTT-3.2.2-4 / MQTT-3.2.2-6'

// ErrorKind::is_stricter_than_mqtt_packet
const STRICTER = new Set([
  E.VarIntNotMinimal, E.PacketTooLarge, E.TrailingBytes, E.InvalidUtf8,
  E.NullCharacter, E.ProtocolNameMismatch, E.WillQos3, E.PasswordWithoutUsername,
  E.InvalidConnackCode, E.TopicWildcard, E.EmptyTopic, E.ZeroPacketId,
  E.NoTopicFilters, E.InvalidTopicFilter, E.SharedSubscriptionNoLocal,
  E.NoReturnCodes, E.PropertyNotAllowed, E.DuplicateProperty, E.InvalidPropertyValue,
  E.PublishDupQos0, E.ConnackSessionPresent
])

// ErrorKind::relaxed_when_lenient: the checks lenient mode (tape config bit
// LENIENT = 0x200, parser option strict: false) skips, as mqtt-packet does.
const RELAXED = new Set([
  E.NullCharacter, E.ProtocolNameMismatch, E.PasswordWithoutUsername,
  E.InvalidConnackCode, E.TopicWildcard, E.EmptyTopic, E.ZeroPacketId,
  E.NoTopicFilters, E.InvalidTopicFilter, E.SharedSubscriptionNoLocal,
  E.NoReturnCodes, E.PropertyNotAllowed, E.DuplicateProperty, E.InvalidPropertyValue,
  E.PublishDupQos0, E.ConnackSessionPresent
])

function truncatedMessage (field) {
  switch (field) {
    case FIELD.ProtocolName: return 'Cannot parse protocolId'
    case FIELD.WillTopic: return 'Cannot parse will topic'
    case FIELD.WillPayload: return 'Cannot parse will payload'
    case FIELD.Username: return 'Cannot parse username'
    case FIELD.Password: return 'Cannot parse password'
    case FIELD.Topic:
    case FIELD.TopicFilter: return 'Cannot parse topic'
    case FIELD.PacketId: return 'Cannot parse messageId'
    case FIELD.SubscriptionOptions: return 'Malformed Subscribe Payload'
    case FIELD.ConnackFlags:
    case FIELD.ReturnCode: return 'Cannot parse return code'
    // mqtt-packet's message when a property list runs past the packet
    case FIELD.Properties: return 'Cannot parse property code type'
    case FIELD.PropertyValue: return 'Malformed properties: truncated'
    default: return 'Packet too short'
  }
}

/** The mqtt-packet-compatible message of error `code` with parameter `param` (ErrorKind::message). */
function errorMessage (code, param) {
  const t = param & 0xf
  switch (code) {
    case 1: return 'Not supported'
    case 2: return 'Invalid header flag bits, must be 0x' + REQUIRED_FLAGS[t].toString(16) + ' for ' + TYPE_NAMES[t] + ' packet'
    case 3: return 'Packet must not have both QoS bits set to 1'
    case 4: return 'Invalid variable byte integer'
    case 5: return 'Invalid variable byte integer: not encoded in the fewest bytes'
    case 6: return 'Packet too large: exceeds the maximum packet size of ' + (param >>> 0) + ' bytes'
    case 7: return truncatedMessage(param & 0xff)
    case 8: return 'Malformed ' + TYPE_NAMES[t] + ' packet: remaining length exceeds its fields'
    case 9: return 'Invalid UTF-8 string in ' + FIELD_NAMES[param & 0xff]
    case 10: return 'Invalid string in ' + FIELD_NAMES[param & 0xff] + ': contains U+0000'
    case 11: return 'Invalid protocolId'
    case 12: return 'Invalid protocol version'
    case 13: return 'Protocol name does not match protocol version'
    case 14: return 'Connect flag bit 0 must be 0, but got 1'
    case 15: return 'Will Retain Flag must be set to zero when Will Flag is set to 0'
    case 16: return 'Will QoS must be set to zero when Will Flag is set to 0'
    case 17: return 'Will QoS must be <= 2'
    case 18: return 'Password flag must be 0 when User Name flag is 0'
    case 19: return 'Invalid connack flags, bits 7-1 must be set to 0'
    case 20: return 'Invalid connack return code'
    case 21: return 'Invalid topic: wildcards are not allowed in a publish topic'
    case 22: return 'Invalid topic: empty topic name'
    case 23: return 'Invalid messageId: 0'
    case 24:
      switch (t) {
        case 8: return 'Malformed subscribe, no payload specified'
        case 9: return 'Malformed suback, no payload specified'
        case 10: return 'Malformed unsubscribe, no payload specified'
        default: return 'Malformed unsuback, no payload specified'
      }
    case 25: return 'Malformed ' + TYPE_NAMES[t] + ', no topic filters'
    case 26: return (param & 0xff) === 5
      ? 'Invalid subscribe topic flag bits, bits 7-6 must be 0'
      : 'Invalid subscribe topic flag bits, bits 7-2 must be 0'
    case 27: return 'Invalid subscribe QoS, must be <= 2'
    case 28: return 'Invalid retain handling, must be <= 2'
    case 29: return 'Malformed Subscribe Payload'
    case 30: return 'Invalid topic filter'
    case 31: return 'No Local must be 0 on a shared subscription'
    case 32: return (param & 0xff) === 5
      ? 'Invalid suback code'
      : 'Invalid suback QoS, must be 0, 1, 2 or 128'
    case 33: return 'Malformed suback, no return codes'
    case 34: return 'Malformed unsuback, payload length must be 2'
    case 35: return 'Invalid unsuback code'
    case 36: return 'Invalid ' + TYPE_NAMES[t] + ' reason code'
    case 37: return 'Not supported auth packet for this version MQTT'
    case 38: return 'Cannot parse property code type'
    case 39: return 'Unknown property'
    case 40: return 'Property ' + propertyName(param & 0xff) + ' is not allowed in ' + TYPE_NAMES[(param >>> 8) & 0xf] + ' packet'
    case 41: return 'Duplicate property ' + propertyName(param & 0xff)
    case 42: return 'Invalid property value for ' + propertyName(param & 0xff)
    case 43: return 'Invalid header flag bits: DUP must be 0 for QoS 0'
    case 44: return 'Invalid connack flags: session present must be 0 when the return code is not 0'
    default: return 'Unknown mqttwire error ' + code
  }
}

/** The spec rule (ErrorKind::rule). */
function errorRule (code) {
  return RULES[code] || ''
}

/** Whether mqtt-packet 9.0.2 accepts input that produces this error code. */
function isStricter (code) {
  return STRICTER.has(code)
}

/** Whether lenient mode (`strict: false`) accepts what gives this error code. */
function relaxedWhenLenient (code) {
  return RELAXED.has(code)
}

/**
 * An Error with mqtt-packet's message and the extra properties
 * `code` ('MQTTWIRE_...'), `rule` (the spec statement) and `offset`
 * (byte offset of the offending byte in the chunk it was found in).
 */
function makeError (code, param, offset) {
  const err = new Error(errorMessage(code, param))
  err.code = CODE_STRINGS[code] || 'MQTTWIRE_UNKNOWN'
  err.rule = RULES[code] || ''
  err.offset = offset
  return err
}

module.exports = {
  E,
  FIELD,
  TYPE_NAMES,
  REQUIRED_FLAGS,
  FIELD_NAMES,
  PROPERTY_NAMES,
  KIND_NAMES,
  CODE_STRINGS,
  errorMessage,
  errorRule,
  isStricter,
  relaxedWhenLenient,
  makeError
}
