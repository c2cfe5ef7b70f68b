//! MQTT over WebSocket on `/mqtt`, as AWS IoT Core offers it (`wss://<endpoint>/mqtt`, subprotocol
//! `mqtt`). The upgrade may be SigV4-signed with `X-Amz-*` query parameters, as the AWS SDKs sign
//! it, or unsigned; the signature is not verified.
//!
//! Binary frames carry the MQTT byte stream (frames need not align with packets). The bridge pipes
//! them through an in-memory duplex into the same session code as TCP and TLS, so a device on
//! WebSocket and one on TCP share one broker and one Jobs API.

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::serve::mqtt::Connector;

/// Room for one maximal MQTT packet in flight each way.
const PIPE_BYTES: usize = 256 * 1024;

/// `GET /mqtt` with `Upgrade: websocket`. A request that is not a valid upgrade is refused with
/// a 4xx by the extractor before reaching here.
pub async fn upgrade(State(connector): State<Connector>, ws: WebSocketUpgrade) -> Response {
    ws.protocols(["mqtt"])
        .max_message_size(PIPE_BYTES)
        .on_upgrade(move |socket| bridge(socket, connector))
}

async fn bridge(socket: WebSocket, connector: Connector) {
    let (broker_end, bridge_end) = tokio::io::duplex(PIPE_BYTES);
    let session = tokio::spawn(async move { connector.serve(broker_end).await });
    let (mut from_broker, mut to_broker) = tokio::io::split(bridge_end);
    let (mut ws_out, mut ws_in) = socket.split();

    // Client → broker: binary frames are MQTT bytes; anything else ends the connection cleanly.
    let inbound = async move {
        while let Some(Ok(msg)) = ws_in.next().await {
            match msg {
                Message::Binary(bytes) => {
                    if to_broker.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                Message::Ping(_) | Message::Pong(_) => {}
                // Text frames are not MQTT (spec: binary only); Close ends the session.
                Message::Text(_) | Message::Close(_) => break,
            }
        }
        let _ = to_broker.shutdown().await;
    };
    // Broker → client: whatever the session writes, in binary frames.
    let outbound = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match from_broker.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let frame = Message::Binary(bytes::Bytes::copy_from_slice(&buf[..n]));
                    if ws_out.send(frame).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = ws_out.close().await;
    };
    // Either side ending ends the connection. The session then sees its stream close and gets a
    // moment to finish (e.g. publish a will) before it is stopped.
    let abort = session.abort_handle();
    tokio::select! {
        _ = inbound => {}
        _ = outbound => {}
    }
    if tokio::time::timeout(SESSION_WIND_DOWN, session)
        .await
        .is_err()
    {
        abort.abort();
    }
}

/// How long a session may take to end after its WebSocket closed.
const SESSION_WIND_DOWN: std::time::Duration = std::time::Duration::from_secs(5);
