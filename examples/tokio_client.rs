//! A small MQTT client on tokio: CONNECT (5.0 with properties, or 3.1.1),
//! SUBSCRIBE, receive a PUBLISH (the client publishes it to itself), PUBACK,
//! DISCONNECT.
//!
//! ```text
//! mosquitto -p 1883 &
//! cargo run --example tokio_client --features tokio -- 127.0.0.1:1883 5
//! ```
//!
//! The codec is created for 3.1.1 and switches to the version of the CONNECT
//! it sends, so the broker's answers are decoded in that version.

use futures_util::{SinkExt, StreamExt};
use mqttwire::codec::MqttCodec;
use mqttwire::{Ack, Connect, Disconnect, Packet, PropertiesBuf, Publish, QoS, Subscribe, Version};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Run the flow against the broker at `addr`; returns the payload received.
pub async fn run(addr: &str, version: Version) -> Result<Vec<u8>, Error> {
    let tcp = TcpStream::connect(addr).await?;
    let mut conn = Framed::new(tcp, MqttCodec::new(Version::V3_1_1));

    let client_id = format!(
        "mqttwire-example-{}-{}",
        std::process::id(),
        version.level()
    );
    let props = PropertiesBuf::new()
        .session_expiry_interval(0)
        .user_property("example", "tokio_client");
    let mut connect = Connect::new(version, &client_id).keep_alive(30);
    if version.is_v5() {
        connect = connect.properties(props.as_properties()); // 5.0 only
    }
    conn.send(Packet::from(connect)).await?;

    // Keep the Frame: the Packet borrows from it.
    let frame = conn.next().await.ok_or("closed before CONNACK")??;
    let Packet::ConnAck(connack) = frame.packet()? else {
        return Err(format!("expected CONNACK, got {:?}", frame.header().packet_type).into());
    };
    if connack.reason(version).is_error() {
        return Err(format!("connection refused: {}", connack.reason(version)).into());
    }

    let topic = format!("mqttwire/example/{client_id}");
    let filters = [(topic.as_str(), QoS::AtLeastOnce.into())];
    conn.send(Packet::from(Subscribe::new(1, &filters))).await?;
    loop {
        let frame = conn.next().await.ok_or("closed before SUBACK")??;
        if let Packet::SubAck(suback) = frame.packet()? {
            if let Some(code) = suback.reasons().find(|c| c.is_error()) {
                return Err(format!("subscription refused: {code}").into());
            }
            break;
        }
    }

    let publish = Publish::new(&topic, b"hello from mqttwire").qos(QoS::AtLeastOnce, 2);
    conn.send(Packet::from(publish)).await?;
    let (mut acked, mut received) = (false, None);
    while !acked || received.is_none() {
        let frame = conn.next().await.ok_or("closed before the message")??;
        match frame.packet()? {
            Packet::PubAck(ack) if ack.packet_id == 2 => acked = true,
            Packet::Publish(p) => {
                if let Some(id) = p.packet_id {
                    conn.send(Packet::PubAck(Ack::new(id))).await?;
                }
                received = Some(p.payload.to_vec());
            }
            _ => {}
        }
    }

    conn.send(Packet::from(Disconnect::new())).await?;
    Ok(received.unwrap_or_default())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:1883".into());
    let version = match args.next().as_deref() {
        Some("4") | Some("3.1.1") => Version::V3_1_1,
        _ => Version::V5,
    };
    let payload = run(&addr, version).await?;
    println!("received {:?}", String::from_utf8_lossy(&payload));
    Ok(())
}
