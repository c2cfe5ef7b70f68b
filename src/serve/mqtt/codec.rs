//! MQTT framing for both protocol versions, on rumqttc's `mqttbytes` codecs.
//!
//! The rest of the broker sees one small version-neutral vocabulary ([`Inbound`], [`Outbound`]);
//! this module is the only place that knows which codec a connection speaks.

use bytes::{Bytes, BytesMut};
use rumqttc::mqttbytes::{QoS as QoS4, v4};
use rumqttc::v5::mqttbytes::{QoS as QoS5, v5};

/// The MQTT protocol version a connection negotiated in its CONNECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// MQTT 3.1.1 (protocol level 4).
    V4,
    /// MQTT 5 (protocol level 5).
    V5,
}

/// Why the bytes on a connection cannot be read as MQTT. Every variant closes the connection.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("packet of {0} bytes exceeds the maximum packet size")]
    TooLarge(usize),
    #[error("unsupported protocol level {0}")]
    UnsupportedLevel(u8),
    #[error("malformed packet: {0}")]
    Malformed(String),
}

/// What a client can send, reduced to what the broker acts on.
#[derive(Debug)]
pub enum Inbound {
    Connect(ConnectInfo),
    Publish(InPublish),
    PubAck(u16),
    Subscribe {
        pkid: u16,
        filters: Vec<(String, u8)>,
    },
    Unsubscribe {
        pkid: u16,
        filters: Vec<String>,
    },
    PingReq,
    Disconnect,
    /// A packet a client may send but the broker has nothing to do with (v5 AUTH, PUBREC...).
    Ignored,
    /// A packet only a server sends (CONNACK, SUBACK...): a protocol violation.
    ServerOnly,
}

#[derive(Debug)]
pub struct ConnectInfo {
    pub client_id: String,
    pub keep_alive: u16,
    /// v4 `cleanSession`, v5 `cleanStart`.
    pub clean: bool,
    /// Whether the session outlives the connection: v4 `!cleanSession`, v5 a non-zero
    /// session expiry interval.
    pub persistent: bool,
    pub will: Option<Will>,
}

#[derive(Clone, Debug)]
pub struct Will {
    pub topic: String,
    pub payload: Bytes,
    pub qos: u8,
}

#[derive(Debug)]
pub struct InPublish {
    pub topic: String,
    pub payload: Bytes,
    pub qos: u8,
    pub pkid: u16,
}

/// CONNACK results the broker uses, mapped to each version's return code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnCode {
    Accepted,
    BadProtocolVersion,
    BadClientId,
}

/// Why the broker closes a v5 connection (sent as a DISCONNECT reason; v4 just closes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    PacketTooLarge,
    Malformed,
    ProtocolError,
    KeepAliveTimeout,
    SessionTakenOver,
    ShuttingDown,
}

/// What the broker sends.
#[derive(Debug)]
pub enum Outbound {
    ConnAck {
        session_present: bool,
        code: ConnCode,
        /// v5: the client id the broker chose for a client that sent none.
        assigned_id: Option<String>,
        /// v5: the broker's maximum packet size, so clients refuse oversize publishes themselves.
        max_packet: usize,
    },
    Publish {
        topic: String,
        payload: Bytes,
        qos: u8,
        pkid: u16,
        dup: bool,
    },
    PubAck(u16),
    /// One entry per filter: the granted QoS, or `None` for a refused filter.
    SubAck {
        pkid: u16,
        granted: Vec<Option<u8>>,
    },
    UnsubAck {
        pkid: u16,
        count: usize,
    },
    PingResp,
    Disconnect(CloseReason),
}

/// The remaining-length field of a fixed header: `(value, bytes it took)`, or `None` if more
/// bytes are needed.
fn remaining_length(buf: &[u8]) -> Result<Option<(usize, usize)>, CodecError> {
    let mut value = 0usize;
    for i in 0..4 {
        let Some(&b) = buf.get(1 + i) else {
            return Ok(None);
        };
        value |= ((b & 0x7f) as usize) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    Err(CodecError::Malformed(
        "remaining length longer than 4 bytes".into(),
    ))
}

/// Checks the size of the next frame before any codec allocates for it, so an oversized
/// packet is refused from its header alone. `Ok(None)`: the frame is not complete yet.
pub fn frame_ready(buf: &[u8], max: usize) -> Result<Option<usize>, CodecError> {
    let Some((len, len_len)) = remaining_length(buf)? else {
        return Ok(None);
    };
    if len > max {
        return Err(CodecError::TooLarge(len));
    }
    let frame = 1 + len_len + len;
    Ok((buf.len() >= frame).then_some(frame))
}

/// The protocol level of a complete CONNECT frame at the start of `buf`: 4 and 5 pick the codec;
/// anything else (incl. MQTT 3.1's `MQIsdp`, level 3) is answered with "unacceptable protocol
/// version". A first packet that is not a CONNECT is a protocol violation.
pub fn connect_level(buf: &[u8]) -> Result<u8, CodecError> {
    if buf.first().map(|b| b >> 4) != Some(1) {
        return Err(CodecError::Malformed("first packet is not CONNECT".into()));
    }
    let Some((_, len_len)) = remaining_length(buf)? else {
        return Err(CodecError::Malformed("truncated CONNECT".into()));
    };
    let at = 1 + len_len;
    let name_len = match (buf.get(at), buf.get(at + 1)) {
        (Some(&h), Some(&l)) => u16::from_be_bytes([h, l]) as usize,
        _ => return Err(CodecError::Malformed("truncated CONNECT".into())),
    };
    let name = buf.get(at + 2..at + 2 + name_len);
    let level = buf.get(at + 2 + name_len).copied();
    match (name, level) {
        (Some(b"MQTT"), Some(l)) | (Some(b"MQIsdp"), Some(l)) => Ok(l),
        _ => Err(CodecError::Malformed("not an MQTT CONNECT".into())),
    }
}

fn malformed(e: impl std::fmt::Display) -> CodecError {
    CodecError::Malformed(e.to_string())
}

/// Decodes one complete frame (checked by [`frame_ready`]) from the front of `buf`.
pub fn decode(version: Version, buf: &mut BytesMut, max: usize) -> Result<Inbound, CodecError> {
    // A v5 DISCONNECT without a reason code has no body, which rumqttc's v5 reader refuses.
    if buf.len() >= 2 && buf[0] == 0xE0 && buf[1] == 0 {
        let _ = buf.split_to(2);
        return Ok(Inbound::Disconnect);
    }
    match version {
        Version::V4 => decode_v4(buf, max),
        Version::V5 => decode_v5(buf, max),
    }
}

fn decode_v4(buf: &mut BytesMut, max: usize) -> Result<Inbound, CodecError> {
    use v4::Packet as P;
    Ok(match P::read(buf, max).map_err(malformed)? {
        P::Connect(c) => Inbound::Connect(ConnectInfo {
            client_id: c.client_id,
            keep_alive: c.keep_alive,
            clean: c.clean_session,
            persistent: !c.clean_session,
            will: c.last_will.map(|w| Will {
                topic: w.topic,
                payload: w.message,
                qos: w.qos as u8,
            }),
        }),
        P::Publish(p) => Inbound::Publish(InPublish {
            topic: p.topic,
            payload: p.payload,
            qos: p.qos as u8,
            pkid: p.pkid,
        }),
        P::PubAck(a) => Inbound::PubAck(a.pkid),
        P::Subscribe(s) => Inbound::Subscribe {
            pkid: s.pkid,
            filters: s
                .filters
                .into_iter()
                .map(|f| (f.path, f.qos as u8))
                .collect(),
        },
        P::Unsubscribe(u) => Inbound::Unsubscribe {
            pkid: u.pkid,
            filters: u.topics,
        },
        P::PingReq => Inbound::PingReq,
        P::Disconnect => Inbound::Disconnect,
        P::PubRec(_) | P::PubRel(_) | P::PubComp(_) => Inbound::Ignored,
        P::ConnAck(_) | P::SubAck(_) | P::UnsubAck(_) | P::PingResp => Inbound::ServerOnly,
    })
}

fn decode_v5(buf: &mut BytesMut, max: usize) -> Result<Inbound, CodecError> {
    use v5::Packet as P;
    let max = u32::try_from(max).unwrap_or(u32::MAX);
    Ok(match P::read(buf, Some(max)).map_err(malformed)? {
        P::Connect(c, will, _login) => {
            let expiry = c
                .properties
                .as_ref()
                .and_then(|p| p.session_expiry_interval)
                .unwrap_or(0);
            Inbound::Connect(ConnectInfo {
                client_id: c.client_id,
                keep_alive: c.keep_alive,
                clean: c.clean_start,
                persistent: expiry > 0,
                will: match will {
                    Some(w) => Some(Will {
                        topic: String::from_utf8(w.topic.to_vec()).map_err(malformed)?,
                        payload: w.message,
                        qos: w.qos as u8,
                    }),
                    None => None,
                },
            })
        }
        P::Publish(p) => {
            // No topic alias maximum is granted in CONNACK, so every PUBLISH names its topic.
            if p.properties
                .as_ref()
                .is_some_and(|pr| pr.topic_alias.is_some())
            {
                return Err(CodecError::Malformed("topic alias not granted".into()));
            }
            Inbound::Publish(InPublish {
                topic: String::from_utf8(p.topic.to_vec()).map_err(malformed)?,
                payload: p.payload,
                qos: p.qos as u8,
                pkid: p.pkid,
            })
        }
        P::PubAck(a) => Inbound::PubAck(a.pkid),
        P::Subscribe(s) => Inbound::Subscribe {
            pkid: s.pkid,
            filters: s
                .filters
                .into_iter()
                .map(|f| (f.path, f.qos as u8))
                .collect(),
        },
        P::Unsubscribe(u) => Inbound::Unsubscribe {
            pkid: u.pkid,
            filters: u.filters,
        },
        P::PingReq(_) => Inbound::PingReq,
        P::Disconnect(_) => Inbound::Disconnect,
        P::Auth(_) | P::PubRec(_) | P::PubRel(_) | P::PubComp(_) => Inbound::Ignored,
        P::ConnAck(_) | P::SubAck(_) | P::UnsubAck(_) | P::PingResp(_) => Inbound::ServerOnly,
    })
}

fn qos4(q: u8) -> QoS4 {
    if q == 0 {
        QoS4::AtMostOnce
    } else {
        QoS4::AtLeastOnce
    }
}

fn qos5(q: u8) -> QoS5 {
    if q == 0 {
        QoS5::AtMostOnce
    } else {
        QoS5::AtLeastOnce
    }
}

/// Appends `packet` to `out`. Packets the broker builds are always encodable; a failure is
/// reported so the connection can be closed rather than sending half a frame.
pub fn encode(version: Version, packet: Outbound, out: &mut BytesMut) -> Result<(), CodecError> {
    match version {
        Version::V4 => encode_v4(packet, out),
        Version::V5 => encode_v5(packet, out),
    }
}

fn encode_v4(packet: Outbound, out: &mut BytesMut) -> Result<(), CodecError> {
    use v4::Packet as P;
    let p = match packet {
        Outbound::ConnAck {
            session_present,
            code,
            ..
        } => P::ConnAck(v4::ConnAck::new(
            match code {
                ConnCode::Accepted => v4::ConnectReturnCode::Success,
                ConnCode::BadProtocolVersion => v4::ConnectReturnCode::RefusedProtocolVersion,
                ConnCode::BadClientId => v4::ConnectReturnCode::BadClientId,
            },
            session_present,
        )),
        Outbound::Publish {
            topic,
            payload,
            qos,
            pkid,
            dup,
        } => {
            let mut p = v4::Publish::from_bytes(topic, qos4(qos), payload);
            p.pkid = pkid;
            p.dup = dup;
            P::Publish(p)
        }
        Outbound::PubAck(pkid) => P::PubAck(v4::PubAck::new(pkid)),
        Outbound::SubAck { pkid, granted } => P::SubAck(v4::SubAck::new(
            pkid,
            granted
                .into_iter()
                .map(|g| match g {
                    Some(q) => v4::SubscribeReasonCode::Success(qos4(q)),
                    None => v4::SubscribeReasonCode::Failure,
                })
                .collect(),
        )),
        Outbound::UnsubAck { pkid, .. } => P::UnsubAck(v4::UnsubAck::new(pkid)),
        Outbound::PingResp => P::PingResp,
        // MQTT 3.1.1 has no server DISCONNECT: closing the socket is the signal.
        Outbound::Disconnect(_) => return Ok(()),
    };
    p.write(out, usize::MAX).map(|_| ()).map_err(malformed)
}

fn encode_v5(packet: Outbound, out: &mut BytesMut) -> Result<(), CodecError> {
    use v5::Packet as P;
    let p = match packet {
        Outbound::ConnAck {
            session_present,
            code,
            assigned_id,
            max_packet,
        } => P::ConnAck(v5::ConnAck {
            session_present,
            code: match code {
                ConnCode::Accepted => v5::ConnectReturnCode::Success,
                ConnCode::BadProtocolVersion => v5::ConnectReturnCode::UnsupportedProtocolVersion,
                ConnCode::BadClientId => v5::ConnectReturnCode::ClientIdentifierNotValid,
            },
            // Broker properties describe an accepted session only.
            properties: (code == ConnCode::Accepted)
                .then(|| connack_properties(assigned_id, max_packet)),
        }),
        Outbound::Publish {
            topic,
            payload,
            qos,
            pkid,
            dup,
        } => P::Publish(v5::Publish {
            dup,
            qos: qos5(qos),
            retain: false,
            topic: Bytes::from(topic),
            pkid,
            payload,
            properties: None,
        }),
        Outbound::PubAck(pkid) => P::PubAck(v5::PubAck::new(pkid, None)),
        Outbound::SubAck { pkid, granted } => P::SubAck(v5::SubAck {
            pkid,
            return_codes: granted
                .into_iter()
                .map(|g| match g {
                    Some(q) => v5::SubscribeReasonCode::Success(qos5(q)),
                    None => v5::SubscribeReasonCode::NotAuthorized,
                })
                .collect(),
            properties: None,
        }),
        Outbound::UnsubAck { pkid, count } => P::UnsubAck(v5::UnsubAck {
            pkid,
            reasons: vec![v5::UnsubAckReason::Success; count],
            properties: None,
        }),
        Outbound::PingResp => P::PingResp(v5::PingResp),
        Outbound::Disconnect(reason) => P::Disconnect(v5::Disconnect::new(match reason {
            CloseReason::PacketTooLarge => v5::DisconnectReasonCode::PacketTooLarge,
            CloseReason::Malformed => v5::DisconnectReasonCode::MalformedPacket,
            CloseReason::ProtocolError => v5::DisconnectReasonCode::ProtocolError,
            CloseReason::KeepAliveTimeout => v5::DisconnectReasonCode::KeepAliveTimeout,
            CloseReason::SessionTakenOver => v5::DisconnectReasonCode::SessionTakenOver,
            CloseReason::ShuttingDown => v5::DisconnectReasonCode::ServerShuttingDown,
        })),
    };
    p.write(out, None).map(|_| ()).map_err(malformed)
}

/// What a v5 client learns about this broker: QoS 2 is not offered (as on AWS IoT), retained
/// messages are not kept, and publishes above the packet limit close the connection.
fn connack_properties(assigned_id: Option<String>, max_packet: usize) -> v5::ConnAckProperties {
    v5::ConnAckProperties {
        session_expiry_interval: None,
        receive_max: None,
        max_qos: Some(1),
        retain_available: Some(0),
        max_packet_size: Some(u32::try_from(max_packet).unwrap_or(u32::MAX)),
        assigned_client_identifier: assigned_id,
        topic_alias_max: None,
        reason_string: None,
        user_properties: Vec::new(),
        wildcard_subscription_available: None,
        subscription_identifiers_available: Some(0),
        shared_subscription_available: Some(0),
        server_keep_alive: None,
        response_information: None,
        server_reference: None,
        authentication_method: None,
        authentication_data: None,
    }
}
