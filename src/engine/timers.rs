//! The engine's timers: one per purpose, ordered by due time and then by arming order, so that
//! timers due at the same instant fire in a fixed order on every run.

use std::collections::{BTreeMap, HashMap};

use super::store::{ExecIx, JobIx};
use super::time::Timestamp;

/// What a timer is for. A key has at most one armed timer; arming again replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimerKey {
    /// An execution's in-progress or step deadline.
    ExecutionTimeout(ExecIx),
    /// The next minute of a job's rollout.
    RolloutTick(JobIx),
    /// A scheduled job's `startTime`.
    JobStart(JobIx),
    /// A scheduled job's `endTime`.
    JobEnd(JobIx),
    /// The next opening of one of a job's maintenance windows.
    WindowOpen(JobIx),
    /// The close of the maintenance window a job is rolling out in.
    WindowClose(JobIx),
}

#[derive(Debug, Default, Clone)]
pub struct TimerQueue {
    due: BTreeMap<(Timestamp, u64), TimerKey>,
    armed: HashMap<TimerKey, (Timestamp, u64)>,
    seq: u64,
}

impl TimerQueue {
    /// Arms `key` for `at`, replacing any earlier arming of the same key.
    pub fn arm(&mut self, key: TimerKey, at: Timestamp) {
        self.cancel(key);
        self.seq += 1;
        self.due.insert((at, self.seq), key);
        self.armed.insert(key, (at, self.seq));
    }

    /// Disarms `key`; returns whether it was armed.
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        match self.armed.remove(&key) {
            Some(slot) => {
                self.due.remove(&slot);
                true
            }
            None => false,
        }
    }

    pub fn due_at(&self, key: TimerKey) -> Option<Timestamp> {
        self.armed.get(&key).map(|(at, _)| *at)
    }

    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.due.keys().next().map(|(at, _)| *at)
    }

    /// Removes and returns the earliest timer due at or before `limit`.
    pub fn pop_due(&mut self, limit: Timestamp) -> Option<(Timestamp, TimerKey)> {
        let (&(at, seq), &key) = self.due.iter().next()?;
        if at > limit {
            return None;
        }
        self.due.remove(&(at, seq));
        self.armed.remove(&key);
        Some((at, key))
    }

    pub fn len(&self) -> usize {
        self.due.len()
    }

    pub fn is_empty(&self) -> bool {
        self.due.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_due_at_the_same_instant_fire_in_arming_order() {
        let mut q = TimerQueue::default();
        let t = Timestamp::from_secs(10);
        q.arm(TimerKey::RolloutTick(2), t);
        q.arm(TimerKey::RolloutTick(1), t);
        q.arm(TimerKey::JobEnd(0), Timestamp::from_secs(5));
        assert_eq!(
            q.pop_due(t),
            Some((Timestamp::from_secs(5), TimerKey::JobEnd(0)))
        );
        assert_eq!(q.pop_due(t), Some((t, TimerKey::RolloutTick(2))));
        assert_eq!(q.pop_due(t), Some((t, TimerKey::RolloutTick(1))));
        assert_eq!(q.pop_due(t), None);
    }

    #[test]
    fn rearming_a_key_replaces_its_earlier_deadline() {
        let mut q = TimerQueue::default();
        q.arm(TimerKey::ExecutionTimeout(7), Timestamp::from_secs(100));
        q.arm(TimerKey::ExecutionTimeout(7), Timestamp::from_secs(50));
        assert_eq!(q.len(), 1);
        assert_eq!(q.next_deadline(), Some(Timestamp::from_secs(50)));
        assert!(q.cancel(TimerKey::ExecutionTimeout(7)));
        assert!(q.is_empty());
        assert!(!q.cancel(TimerKey::ExecutionTimeout(7)));
    }

    #[test]
    fn a_timer_not_yet_due_is_not_popped() {
        let mut q = TimerQueue::default();
        q.arm(TimerKey::JobStart(1), Timestamp::from_secs(61));
        assert_eq!(q.pop_due(Timestamp::from_secs(60)), None);
        assert_eq!(q.len(), 1);
    }
}
