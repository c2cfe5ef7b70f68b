//! MQTT over WebSocket on `/mqtt` (issue 7): the same broker and Jobs API as the TCP listener.

use std::time::Duration;

use jobrig::engine::CreateThingRequest;
use jobrig::serve::{Running, ServeConfig, TlsOptions, start};
use rumqttc::{
    AsyncClient, Event, EventLoop, Incoming, MqttOptions, QoS, TlsConfiguration, Transport,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn safety<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(15), f)
        .await
        .expect("safety net: the exchange finished")
}

fn ws_options(id: &str, url: String, port: u16) -> MqttOptions {
    let mut o = MqttOptions::new(id, url, port);
    o.set_transport(Transport::Ws);
    o.set_keep_alive(Duration::from_secs(30));
    o
}

fn tcp_options(id: &str, running: &Running) -> MqttOptions {
    let mqtt = running.mqtt.expect("mqtt");
    let mut o = MqttOptions::new(id, mqtt.ip().to_string(), mqtt.port());
    o.set_keep_alive(Duration::from_secs(30));
    o
}

async fn suback(events: &mut EventLoop) {
    loop {
        if let Event::Incoming(Incoming::SubAck(_)) = events.poll().await.expect("connected") {
            return;
        }
    }
}

/// Polls the sender's event loop (so its publish leaves) until the receiver gets a publish.
async fn relay(sender: &mut EventLoop, receiver: &mut EventLoop) -> (String, Vec<u8>) {
    loop {
        tokio::select! {
            e = sender.poll() => { e.expect("sender connected"); }
            e = receiver.poll() => {
                if let Event::Incoming(Incoming::Publish(p)) = e.expect("receiver connected") {
                    return (p.topic, p.payload.to_vec());
                }
            }
        }
    }
}

async fn next_publish(events: &mut EventLoop) -> (String, Vec<u8>) {
    loop {
        if let Event::Incoming(Incoming::Publish(p)) = events.poll().await.expect("connected") {
            return (p.topic, p.payload.to_vec());
        }
    }
}

#[tokio::test]
async fn websocket_and_tcp_clients_exchange_messages_through_one_broker() {
    safety(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        let http = running.http;
        let url = format!("ws://{http}/mqtt");
        let (ws, mut ws_events) = AsyncClient::new(ws_options("ws-1", url, http.port()), 16);
        let (tcp, mut tcp_events) = AsyncClient::new(tcp_options("tcp-1", &running), 16);
        ws.subscribe("lab/to-ws", QoS::AtLeastOnce)
            .await
            .expect("sub");
        suback(&mut ws_events).await;
        tcp.subscribe("lab/to-tcp", QoS::AtLeastOnce)
            .await
            .expect("sub");
        suback(&mut tcp_events).await;

        tcp.publish("lab/to-ws", QoS::AtLeastOnce, false, "hello ws")
            .await
            .expect("pub");
        let (topic, payload) = relay(&mut tcp_events, &mut ws_events).await;
        assert_eq!(
            (topic.as_str(), payload.as_slice()),
            ("lab/to-ws", b"hello ws".as_slice())
        );

        ws.publish("lab/to-tcp", QoS::AtLeastOnce, false, "hello tcp")
            .await
            .expect("pub");
        let (topic, payload) = relay(&mut ws_events, &mut tcp_events).await;
        assert_eq!(
            (topic.as_str(), payload.as_slice()),
            ("lab/to-tcp", b"hello tcp".as_slice())
        );
        running.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn a_device_on_websocket_uses_the_jobs_api_with_a_signed_upgrade() {
    // spec §4.3 over `/mqtt`; the upgrade carries SigV4 query parameters, which are not verified
    safety(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        running
            .service
            .call(|e, now| {
                e.create_thing(
                    now,
                    CreateThingRequest {
                        thing_name: "ws-dev".into(),
                        ..Default::default()
                    },
                )
            })
            .0
            .expect("thing");
        let http = running.http;
        let url = format!(
            "ws://{http}/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20260101%2Fus-east-1%2Fiotdevicegateway%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
        );
        let (ws, mut events) = AsyncClient::new(ws_options("ws-dev", url, http.port()), 16);
        ws.publish("$aws/things/ws-dev/jobs/get", QoS::AtLeastOnce, false, r#"{"clientToken":"w"}"#)
            .await
            .expect("pub");
        let (topic, payload) = next_publish(&mut events).await;
        assert_eq!(topic, "$aws/things/ws-dev/jobs/get/accepted");
        let reply: Value = serde_json::from_slice(&payload).expect("json");
        assert_eq!(reply["clientToken"], "w");
        assert_eq!(reply["inProgressJobs"], serde_json::json!([]));
        running.shutdown().await;
    })
    .await
}

/// A raw WebSocket upgrade of `/mqtt`; returns the stream after the 101 and the response head.
async fn raw_upgrade(addr: std::net::SocketAddr, protocol: bool) -> (TcpStream, String) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let proto = if protocol {
        "Sec-WebSocket-Protocol: mqtt\r\n"
    } else {
        ""
    };
    let req = format!(
        "GET /mqtt HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{proto}\r\n"
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).await.expect("read");
        assert_eq!(n, 1, "connection closed during the handshake");
        head.push(byte[0]);
    }
    (s, String::from_utf8_lossy(&head).into_owned())
}

/// A masked client frame (RFC 6455 §5.2) with a payload under 126 bytes.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [1u8, 2, 3, 4];
    let mut f = vec![0x80 | opcode, 0x80 | payload.len() as u8];
    f.extend_from_slice(&mask);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    f
}

/// Reads until the server closes the socket or sends a Close frame; true if it did either.
async fn server_closes(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return true,
            Ok(n) if buf[..n].contains(&0x88) => return true,
            Ok(_) => {}
        }
    }
}

#[tokio::test]
async fn the_upgrade_answers_with_the_mqtt_subprotocol() {
    safety(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        let (_s, head) = raw_upgrade(running.http, true).await;
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("sec-websocket-protocol: mqtt"),
            "{head}"
        );
        running.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn a_text_frame_or_garbage_bytes_close_only_that_connection() {
    safety(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        let (mut text, _) = raw_upgrade(running.http, true).await;
        text.write_all(&client_frame(0x1, b"not mqtt"))
            .await
            .expect("write");
        assert!(server_closes(&mut text).await);
        let (mut garbage, _) = raw_upgrade(running.http, true).await;
        garbage
            .write_all(&client_frame(0x2, &[0xff, 0xff, 0xff, 0xff, 0xff, 0x00]))
            .await
            .expect("write");
        assert!(server_closes(&mut garbage).await);
        // The server still serves others.
        let url = format!("ws://{}/mqtt", running.http);
        let (ws, mut events) = AsyncClient::new(ws_options("after", url, running.http.port()), 16);
        ws.subscribe("x", QoS::AtMostOnce).await.expect("sub");
        suback(&mut events).await;
        running.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn a_request_that_is_not_an_upgrade_is_refused_with_a_4xx() {
    safety(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        let mut s = TcpStream::connect(running.http).await.expect("connect");
        s.write_all(
            format!(
                "GET /mqtt HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                running.http
            )
            .as_bytes(),
        )
        .await
        .expect("write");
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).await.expect("read");
        let status = String::from_utf8_lossy(&reply);
        let code: u16 = status
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .expect("a status line");
        assert!((400..500).contains(&code), "{status}");
        running.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn wss_on_the_https_listener_reaches_the_same_broker() {
    // Issue 7: the same over the TLS listener's HTTPS counterpart
    safety(async {
        let dir = std::env::temp_dir().join(format!("jobrig-wss-{}", std::process::id()));
        let cfg = ServeConfig {
            https: Some("127.0.0.1:0".parse().expect("addr")),
            tls: TlsOptions {
                certs_dir: Some(dir.clone()),
                ..TlsOptions::default()
            },
            ..ServeConfig::ephemeral()
        };
        let running = start(cfg).await.expect("start");
        let https = running.https.expect("an HTTPS listener");
        let mut roots = rustls::RootCertStore::empty();
        let ca = std::fs::read(dir.join("ca.pem")).expect("ca");
        for c in rustls_pemfile::certs(&mut ca.as_slice()) {
            roots.add(c.expect("cert")).expect("root");
        }
        let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut o = MqttOptions::new("wss-1", format!("wss://{https}/mqtt"), https.port());
        o.set_transport(Transport::wss_with_config(TlsConfiguration::Rustls(
            std::sync::Arc::new(tls),
        )));
        let (wss, mut wss_events) = AsyncClient::new(o, 16);
        let (tcp, mut tcp_events) = AsyncClient::new(tcp_options("tcp-2", &running), 16);
        wss.subscribe("lab/secure", QoS::AtLeastOnce)
            .await
            .expect("sub");
        suback(&mut wss_events).await;
        tcp.publish("lab/secure", QoS::AtLeastOnce, false, "over wss")
            .await
            .expect("pub");
        // The TCP client's event loop must run for its publish to leave.
        let tcp_pump = tokio::spawn(async move { while tcp_events.poll().await.is_ok() {} });
        let (topic, payload) = next_publish(&mut wss_events).await;
        assert_eq!(
            (topic.as_str(), payload.as_slice()),
            ("lab/secure", b"over wss".as_slice())
        );
        tcp_pump.abort();
        // The AWS planes answer over HTTPS too (not verified here beyond the MQTT path).
        running.shutdown().await;
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}
