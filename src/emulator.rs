//! The emulator: the sans-IO engine paired with its clock.
//!
//! Operations run at the clock's `now`, after every timer already due has fired. Advancing fires
//! each due timer at its own instant, in order; between two firings the caller's `settle` hook
//! runs, so in-process devices react before the next timer (one discrete-event timeline).

use crate::clock::{Clock, ClockError};
use crate::engine::{Effect, Engine, EngineConfig, EngineResult, Outcome, Timestamp};

/// Effects paired with the emulator time at which they happened.
pub type TimedEffects = Vec<(Timestamp, Effect)>;

pub struct Emulator {
    engine: Engine,
    clock: Clock,
    outbox: TimedEffects,
}

impl Emulator {
    pub fn new(cfg: EngineConfig, clock: Clock) -> Self {
        let mut engine = Engine::new(cfg);
        engine.set_created_at(clock.now());
        Emulator {
            engine,
            clock,
            outbox: Vec::new(),
        }
    }

    /// A virtual-clock emulator with default settings: what tests and `cargo run` use.
    pub fn virtual_default() -> Self {
        Self::new(
            EngineConfig::default(),
            Clock::virtual_at(crate::clock::VIRTUAL_EPOCH),
        )
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Effects produced since the last call, in order.
    pub fn take_effects(&mut self) -> TimedEffects {
        std::mem::take(&mut self.outbox)
    }

    /// Fires timers that came due on a moving clock (jumpable, system).
    pub fn catch_up(&mut self) {
        let now = self.clock.now();
        while let Some(o) = self.engine.fire_next_timer(now) {
            let at = o.response;
            self.outbox.extend(o.effects.into_iter().map(|e| (at, e)));
        }
    }

    /// Runs one engine operation at the current time. Its effects go to the outbox.
    pub fn call<R>(
        &mut self,
        op: impl FnOnce(&mut Engine, Timestamp) -> EngineResult<Outcome<R>>,
    ) -> EngineResult<R> {
        self.catch_up();
        let now = self.clock.now();
        let out = op(&mut self.engine, now)?;
        self.outbox
            .extend(out.effects.into_iter().map(|e| (now, e)));
        Ok(out.response)
    }

    /// Reads engine state at the current time (timers due by now fire first).
    pub fn read<R>(&mut self, op: impl FnOnce(&Engine, Timestamp) -> R) -> R {
        self.catch_up();
        op(&self.engine, self.clock.now())
    }

    /// Advances time by `ms`, firing every timer due in that span at its own instant.
    pub fn advance_ms(&mut self, ms: i64) -> Result<(), ClockError> {
        self.advance_ms_with(ms, |_, _| {})
    }

    /// As [`Emulator::advance_ms`], calling `settle` after each timer so that in-process devices
    /// can react (their calls go through `settle`'s `&mut Emulator`) before the next timer fires.
    pub fn advance_ms_with(
        &mut self,
        ms: i64,
        mut settle: impl FnMut(&mut Emulator, Timestamp),
    ) -> Result<(), ClockError> {
        let target = self.clock.now().plus_millis(ms.max(0));
        while let Some(at) = self.engine.next_deadline().filter(|&at| at <= target) {
            if at > self.clock.now() {
                self.clock.set(at)?;
            }
            if let Some(o) = self.engine.fire_next_timer(at) {
                self.outbox.extend(o.effects.into_iter().map(|e| (at, e)));
            }
            settle(self, at);
        }
        self.clock.set(target)
    }

    pub fn advance_minutes(&mut self, minutes: i64) -> Result<(), ClockError> {
        self.advance_ms(minutes.saturating_mul(Timestamp::MILLIS_PER_MINUTE))
    }

    pub fn reset(&mut self) {
        self.engine.reset();
        self.outbox.clear();
    }
}
