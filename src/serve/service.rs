//! The emulator as a shared service: one engine and one clock behind a lock, used by the HTTP
//! planes, the MQTT broker and the admin API alike, so no plane can change an execution behind the
//! others' backs.
//!
//! Effects are published under the lock, in the order the engine produced them, so the order of
//! notifications on the wire is the order of the operations that caused them.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use bytes::Bytes;
use tokio::sync::{Notify, oneshot};

use crate::clock::{ClockError, ClockMode};
use crate::emulator::Emulator;
use crate::engine::{Engine, EngineResult, Outcome, Timestamp};

/// Where the service's MQTT messages go: jobrig's own broker, or an external one.
pub trait Publisher: Send + Sync + 'static {
    /// Queues `payload` on `topic` for every current subscriber. The receipt completes once each
    /// recipient's connection has written the message (or the recipient went away).
    fn publish(&self, topic: &str, payload: Bytes) -> Receipt;
}

/// Completion of one or more publishes.
#[derive(Debug, Default)]
pub struct Receipt {
    waits: Vec<oneshot::Receiver<()>>,
}

impl Receipt {
    /// A receipt and the sender that completes it (one per recipient).
    pub fn pair() -> (oneshot::Sender<()>, Receipt) {
        let (tx, rx) = oneshot::channel();
        (tx, Receipt { waits: vec![rx] })
    }

    pub fn merge(&mut self, other: Receipt) {
        self.waits.extend(other.waits);
    }

    pub fn is_empty(&self) -> bool {
        self.waits.is_empty()
    }

    /// Waits until every publish is written. A dropped sender (the connection closed) counts as
    /// done: that message can no longer be delivered.
    pub async fn delivered(self) {
        for w in self.waits {
            let _ = w.await;
        }
    }
}

pub struct Service {
    emulator: Mutex<Emulator>,
    publisher: RwLock<Option<Arc<dyn Publisher>>>,
    /// Wakes the clock driver when timers may have changed.
    timers_changed: Notify,
}

impl Service {
    pub fn new(emulator: Emulator) -> Arc<Self> {
        Arc::new(Service {
            emulator: Mutex::new(emulator),
            publisher: RwLock::new(None),
            timers_changed: Notify::new(),
        })
    }

    /// Connects the service to its broker; effects before this are not published.
    pub fn set_publisher(&self, publisher: Arc<dyn Publisher>) {
        if let Ok(mut p) = self.publisher.write() {
            *p = Some(publisher);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Emulator> {
        // A panic while holding the lock would be a bug in the engine; the state is still the
        // last consistent one because operations validate before they mutate.
        self.emulator.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn publisher(&self) -> Option<Arc<dyn Publisher>> {
        self.publisher.read().ok().and_then(|p| p.clone())
    }

    fn publish_effects(&self, emu: &mut Emulator) -> Receipt {
        let mut receipt = Receipt::default();
        let effects = emu.take_effects();
        let Some(publisher) = self.publisher() else {
            return receipt;
        };
        for (_, effect) in effects {
            if let (Some(topic), Some(payload)) = (effect.mqtt_topic(), effect.mqtt_payload()) {
                receipt.merge(publisher.publish(&topic, Bytes::from(payload)));
            }
        }
        receipt
    }

    /// Publishes one message through the service's broker (MQTT replies).
    pub fn publish(&self, topic: &str, payload: Bytes) -> Receipt {
        match self.publisher() {
            Some(p) => p.publish(topic, payload),
            None => Receipt::default(),
        }
    }

    /// Runs an engine operation at the current emulator time and publishes its effects.
    pub fn call<R>(
        &self,
        op: impl FnOnce(&mut Engine, Timestamp) -> EngineResult<Outcome<R>>,
    ) -> (EngineResult<R>, Receipt) {
        self.call_then(op, |_, _| Receipt::default())
    }

    /// As [`Service::call`], but `reply` runs with the result before the effects are published:
    /// an MQTT `.../accepted` reply precedes the `notify` it causes (spec §4.5).
    pub fn call_then<R>(
        &self,
        op: impl FnOnce(&mut Engine, Timestamp) -> EngineResult<Outcome<R>>,
        reply: impl FnOnce(&EngineResult<R>, Timestamp) -> Receipt,
    ) -> (EngineResult<R>, Receipt) {
        let mut emu = self.lock();
        // Timers already due fire first, with their own effects, before this operation.
        emu.catch_up();
        let mut receipt = self.publish_effects(&mut emu);
        let now = emu.now();
        let result = emu.call(op);
        receipt.merge(reply(&result, now));
        receipt.merge(self.publish_effects(&mut emu));
        drop(emu);
        self.timers_changed.notify_one();
        (result, receipt)
    }

    /// Reads engine state at the current time.
    pub fn read<R>(&self, f: impl FnOnce(&Engine, Timestamp) -> R) -> R {
        let mut emu = self.lock();
        emu.catch_up();
        let _ = self.publish_effects(&mut emu);
        let now = emu.now();
        f(emu.engine(), now)
    }

    pub fn now(&self) -> Timestamp {
        self.lock().now()
    }

    pub fn clock_mode(&self) -> ClockMode {
        self.lock().clock().mode()
    }

    /// Advances emulator time by `ms`, firing every timer due in that span at its own instant, and
    /// returns only once all their messages have been delivered.
    pub async fn advance_ms(&self, ms: i64) -> Result<Timestamp, ClockError> {
        let (now, receipt) = {
            let mut emu = self.lock();
            if emu.clock().mode() == ClockMode::System {
                return Err(ClockError::NotMovable);
            }
            emu.catch_up();
            let mut receipt = self.publish_effects(&mut emu);
            let mut failure = None;
            emu.advance_ms_with(ms, |emu, _| receipt.merge(self.publish_effects(emu)))
                .unwrap_or_else(|e| failure = Some(e));
            receipt.merge(self.publish_effects(&mut emu));
            if let Some(e) = failure {
                return Err(e);
            }
            (emu.now(), receipt)
        };
        self.timers_changed.notify_one();
        receipt.delivered().await;
        Ok(now)
    }

    /// Forgets all state (the admin reset).
    pub fn reset(&self) {
        self.lock().reset();
        self.timers_changed.notify_one();
    }

    /// For clocks that move by themselves (system, jumpable): fires timers when they come due.
    /// Runs until the service is dropped by everyone else.
    pub async fn drive_clock(self: Arc<Self>) {
        loop {
            let (mode, wait) = {
                let emu = self.lock();
                let mode = emu.clock().mode();
                let wait = emu
                    .engine()
                    .next_deadline()
                    .map(|at| (at.millis() - emu.now().millis()).max(0));
                (mode, wait)
            };
            if mode == ClockMode::Virtual {
                // Virtual time moves only when told: nothing to drive.
                self.timers_changed.notified().await;
                continue;
            }
            let sleep = wait.map_or(std::time::Duration::from_secs(3600), |ms| {
                std::time::Duration::from_millis(ms as u64)
            });
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {
                    let receipt = {
                        let mut emu = self.lock();
                        emu.catch_up();
                        self.publish_effects(&mut emu)
                    };
                    receipt.delivered().await;
                }
                _ = self.timers_changed.notified() => {}
            }
            if Arc::strong_count(&self) == 1 {
                return;
            }
        }
    }
}
