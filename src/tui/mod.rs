//! The live terminal view: keys and the interaction state they drive.

pub mod keys;
