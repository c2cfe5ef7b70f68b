//! Behaviour tests of the engine, named after what they prove.
