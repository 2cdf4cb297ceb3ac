//! The terminal surfaces of a followed fleet: the live view (app state -> intents, one event
//! loop, screen), the keys that drive it, and the follow that picks the live view or the
//! transition lines.

pub mod actions;
pub mod follow;
pub mod keys;
pub mod live_view;
