//! Behaviour tests of the engine, named after what they prove. `support` is the shared harness.

mod support;

mod device;
mod jobs;
mod notify;
mod props;
mod rollout;
mod schedule;
mod targeting;
mod templates;
mod timeouts;
mod validation;
