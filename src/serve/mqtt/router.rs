//! The session registry and message routing: who is connected, what each session subscribed
//! to, and what waits for a persistent session that is offline. It is also the service's
//! [`Publisher`], so engine effects reach subscribers the same way client publishes do.
//!
//! The lock is a plain mutex held only for bookkeeping and non-blocking channel sends, never
//! across an await, so it is safe to take while the engine lock is held (service → router).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use super::codec::CloseReason;
use super::subscriptions::{ClientId, SubscriptionIndex};
use crate::serve::service::{Publisher, Receipt};

/// How many QoS 1 messages an offline persistent session keeps; older ones are dropped first so
/// a device that never returns cannot grow the broker without bound.
const OFFLINE_QUEUE_LIMIT: usize = 1000;

/// A message on its way to one client.
#[derive(Clone, Debug)]
pub struct Message {
    pub topic: String,
    pub payload: Bytes,
    /// The QoS it is delivered with (already the minimum of publish and subscription).
    pub qos: u8,
    /// Sent before without a PUBACK: a redelivery carries the DUP flag.
    pub dup: bool,
}

/// What the router tells a connection task.
pub enum ToConn {
    /// Write this message; complete the sender once it is written.
    Deliver(Message, Option<oneshot::Sender<()>>),
    /// Close the connection (takeover by the same client id).
    Close(CloseReason),
}

struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<ToConn>,
}

#[derive(Default)]
struct Session {
    subscriptions: HashMap<String, u8>,
    conn: Option<Conn>,
    persistent: bool,
    queue: VecDeque<Message>,
    /// The connection this one took over while resuming the session: its unacknowledged
    /// messages belong to this session. A clean takeover starts a session without one.
    took_over: Option<u64>,
}

#[derive(Default)]
struct State {
    sessions: HashMap<ClientId, Session>,
    index: SubscriptionIndex,
    next_conn: u64,
}

impl State {
    fn drop_session(&mut self, client: &ClientId) {
        if let Some(s) = self.sessions.remove(client) {
            for filter in s.subscriptions.keys() {
                self.index.remove(client, filter);
            }
        }
    }
}

/// The outcome of attaching a connection to a session.
pub struct Attached {
    pub conn_id: u64,
    pub session_present: bool,
}

/// The broker's subscription table and session registry: what [`Publisher`] publishes through.
#[derive(Default)]
pub struct Router {
    state: Mutex<State>,
}

fn send(conn: &Conn, msg: Message, receipt: &mut Option<&mut Receipt>) {
    let done = receipt.as_mut().map(|r| {
        let (tx, rx) = Receipt::pair();
        r.merge(rx);
        tx
    });
    // A closed channel means the connection is ending: its sender drops, the receipt completes.
    let _ = conn.tx.send(ToConn::Deliver(msg, done));
}

fn enqueue(session: &mut Session, msg: Message) {
    if session.queue.len() >= OFFLINE_QUEUE_LIMIT {
        session.queue.pop_front();
    }
    session.queue.push_back(msg);
}

impl Router {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Nothing panics while holding this lock; a poisoned one still holds consistent maps.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Attaches a new connection for `client`. A connection already using the id is told to
    /// close (AWS IoT's takeover). `clean` discards the old session; otherwise its subscriptions
    /// stay and its queued messages are handed to the new connection, ahead of anything newer.
    pub fn attach(
        &self,
        client: &ClientId,
        clean: bool,
        persistent: bool,
        tx: mpsc::UnboundedSender<ToConn>,
    ) -> Attached {
        let mut st = self.state();
        st.next_conn += 1;
        let conn_id = st.next_conn;
        let old = st.sessions.get_mut(client).and_then(|s| s.conn.take());
        if let Some(old) = &old {
            let _ = old.tx.send(ToConn::Close(CloseReason::SessionTakenOver));
        }
        let existed = st.sessions.contains_key(client);
        if clean && existed {
            st.drop_session(client);
        }
        let session = st.sessions.entry(client.clone()).or_default();
        session.persistent = persistent;
        session.took_over = old.filter(|_| !clean).map(|c| c.id);
        for msg in session.queue.drain(..) {
            let _ = tx.send(ToConn::Deliver(msg, None));
        }
        session.conn = Some(Conn { id: conn_id, tx });
        Attached {
            conn_id,
            session_present: existed && !clean,
        }
    }

    /// A connection ended. `unacked` are the QoS 1 messages it wrote without getting a PUBACK
    /// (already marked DUP); `rx` may still hold messages routed to it but never written. A
    /// persistent session gets both again (MQTT 3.1.1 §4.4), on its next connection.
    pub fn detach(
        &self,
        client: &ClientId,
        conn_id: u64,
        unacked: Vec<Message>,
        rx: &mut mpsc::UnboundedReceiver<ToConn>,
    ) {
        let mut st = self.state();
        // Every send to a connection happens under this lock, so `rx` is complete now.
        let mut pending = unacked;
        while let Ok(m) = rx.try_recv() {
            if let ToConn::Deliver(m, _) = m {
                if m.qos > 0 {
                    pending.push(m);
                }
            }
        }
        let Some(session) = st.sessions.get_mut(client) else {
            return;
        };
        match &session.conn {
            Some(c) if c.id == conn_id => {
                session.conn = None;
                if !session.persistent {
                    st.drop_session(client);
                    return;
                }
                for msg in pending.into_iter().rev() {
                    session.queue.push_front(msg);
                }
            }
            // Taken over by a connection that resumed the session: it owns these messages now.
            Some(c) if session.persistent && session.took_over == Some(conn_id) => {
                for msg in pending {
                    let _ = c.tx.send(ToConn::Deliver(msg, None));
                }
            }
            _ => {}
        }
    }

    /// Whether `conn_id` is still the session's connection: a connection that was taken over
    /// but has not noticed yet must not change the new owner's subscriptions.
    fn current<'a>(st: &'a mut State, client: &ClientId, conn_id: u64) -> Option<&'a mut Session> {
        st.sessions
            .get_mut(client)
            .filter(|s| s.conn.as_ref().is_some_and(|c| c.id == conn_id))
    }

    /// Records subscriptions; `granted` holds the QoS per filter, `None` for refused ones.
    pub fn subscribe(&self, client: &ClientId, conn_id: u64, filters: &[(String, Option<u8>)]) {
        let mut st = self.state();
        for (filter, granted) in filters {
            let Some(qos) = granted else { continue };
            let Some(session) = Self::current(&mut st, client, conn_id) else {
                return;
            };
            session.subscriptions.insert(filter.clone(), *qos);
            st.index.add(client, filter, *qos);
        }
    }

    pub fn unsubscribe(&self, client: &ClientId, conn_id: u64, filters: &[String]) {
        let mut st = self.state();
        for filter in filters {
            let Some(session) = Self::current(&mut st, client, conn_id) else {
                return;
            };
            session.subscriptions.remove(filter);
            st.index.remove(client, filter);
        }
    }

    /// Routes a message to every matching subscriber, and to `requester` (a client and the QoS of
    /// its request) even if it did not subscribe — the Jobs reply rule of spec §4.1 — but never
    /// twice. Online recipients add to the receipt; offline persistent sessions queue QoS 1.
    pub fn route(
        &self,
        topic: &str,
        payload: Bytes,
        qos: u8,
        requester: Option<(&ClientId, u8)>,
        mut receipt: Option<&mut Receipt>,
    ) {
        let mut st = self.state();
        let mut targets = st.index.matching(topic);
        if let Some((client, q)) = requester {
            targets.entry(client.clone()).or_insert(q);
        }
        for (client, sub_qos) in targets {
            let Some(session) = st.sessions.get_mut(&client) else {
                continue;
            };
            let msg = Message {
                topic: topic.to_owned(),
                payload: payload.clone(),
                qos: qos.min(sub_qos),
                dup: false,
            };
            match &session.conn {
                Some(conn) => send(conn, msg, &mut receipt),
                None if session.persistent && msg.qos > 0 => enqueue(session, msg),
                None => {}
            }
        }
    }
}

impl Publisher for Router {
    /// Service messages (notify, notify-next, events, replies) go out at QoS 1, capped by each
    /// subscription's QoS, as AWS IoT delivers them.
    fn publish(&self, topic: &str, payload: Bytes) -> Receipt {
        let mut receipt = Receipt::default();
        self.route(topic, payload, 1, None, Some(&mut receipt));
        receipt
    }
}
