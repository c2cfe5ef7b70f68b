//! The two state machines' vocabularies (spec §5.1, §5.2).

use std::fmt;

/// `JobStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobStatus {
    Scheduled,
    InProgress,
    Completed,
    Canceled,
    DeletionInProgress,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [
        JobStatus::Scheduled,
        JobStatus::InProgress,
        JobStatus::Completed,
        JobStatus::Canceled,
        JobStatus::DeletionInProgress,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Scheduled => "SCHEDULED",
            JobStatus::InProgress => "IN_PROGRESS",
            JobStatus::Completed => "COMPLETED",
            JobStatus::Canceled => "CANCELED",
            JobStatus::DeletionInProgress => "DELETION_IN_PROGRESS",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// COMPLETED and CANCELED jobs are done; they can be deleted without `force`.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobStatus::Completed | JobStatus::Canceled)
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `JobExecutionStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExecStatus {
    Queued,
    InProgress,
    Succeeded,
    Failed,
    TimedOut,
    Rejected,
    Removed,
    Canceled,
}

impl ExecStatus {
    pub const ALL: [ExecStatus; 8] = [
        ExecStatus::Queued,
        ExecStatus::InProgress,
        ExecStatus::Succeeded,
        ExecStatus::Failed,
        ExecStatus::TimedOut,
        ExecStatus::Rejected,
        ExecStatus::Removed,
        ExecStatus::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExecStatus::Queued => "QUEUED",
            ExecStatus::InProgress => "IN_PROGRESS",
            ExecStatus::Succeeded => "SUCCEEDED",
            ExecStatus::Failed => "FAILED",
            ExecStatus::TimedOut => "TIMED_OUT",
            ExecStatus::Rejected => "REJECTED",
            ExecStatus::Removed => "REMOVED",
            ExecStatus::Canceled => "CANCELED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Index into per-status counter arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_terminal(self) -> bool {
        !matches!(self, ExecStatus::Queued | ExecStatus::InProgress)
    }

    /// Devices may report only these (spec §5.2 table).
    pub fn is_device_settable(self) -> bool {
        matches!(
            self,
            ExecStatus::InProgress
                | ExecStatus::Succeeded
                | ExecStatus::Failed
                | ExecStatus::Rejected
        )
    }

    /// The `$aws/events/jobExecution/<jobId>/<operation>` operation for a terminal status.
    pub fn event_operation(self) -> Option<&'static str> {
        match self {
            ExecStatus::Succeeded => Some("succeeded"),
            ExecStatus::Failed => Some("failed"),
            ExecStatus::Rejected => Some("rejected"),
            ExecStatus::Canceled => Some("canceled"),
            ExecStatus::TimedOut => Some("timed_out"),
            ExecStatus::Removed => Some("removed"),
            ExecStatus::Queued | ExecStatus::InProgress => None,
        }
    }
}

impl fmt::Display for ExecStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a device may move an execution from `from` to `to` (spec §5.2).
///
/// Terminal is final; a device may not go back to QUEUED nor set a service-only status.
pub fn device_transition_allowed(from: ExecStatus, to: ExecStatus) -> bool {
    !from.is_terminal() && to.is_device_settable()
}

/// `TargetSelection`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetSelection {
    Snapshot,
    Continuous,
}

impl TargetSelection {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetSelection::Snapshot => "SNAPSHOT",
            TargetSelection::Continuous => "CONTINUOUS",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "SNAPSHOT" => Some(TargetSelection::Snapshot),
            "CONTINUOUS" => Some(TargetSelection::Continuous),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_wire_name() {
        for s in ExecStatus::ALL {
            assert_eq!(ExecStatus::parse(s.as_str()), Some(s));
        }
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ExecStatus::parse("SUCCESS"), None);
    }

    #[test]
    fn device_transitions_follow_the_lifecycle_table() {
        use ExecStatus::*;
        for from in ExecStatus::ALL {
            for to in ExecStatus::ALL {
                let allowed = device_transition_allowed(from, to);
                let expected = matches!(from, Queued | InProgress)
                    && matches!(to, InProgress | Succeeded | Failed | Rejected);
                assert_eq!(allowed, expected, "{from} -> {to}");
            }
        }
    }
}
