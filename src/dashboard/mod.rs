//! The dashboard: the live fleet in a browser, one more surface on the engine. The page is
//! fed from one [`LiveFleet`] watch (every open page subscribes to it; server-sent events, no
//! polling) and acts through `engine::actions` (plan, then the confirmation, then that plan
//! carried out), like the verbs and the live view's keys.
//!
//! - [`security`]: who may talk to it (Host, token, Origin), pure.
//! - [`feed`]: what the page is sent (rows by key, summary, detail), pure.
//! - [`actions`]: plans held for the page's confirmation.
//! - the page itself (`assets/`): plain HTML, CSS and JavaScript compiled into the binary; it
//!   loads nothing from anywhere else.

pub mod actions;
pub mod feed;
pub mod security;
mod server;

pub use server::{Dashboard, Options, start};

/// Opens `url` in the default browser, without waiting for it; a failure is said, not fatal
/// (the URL is printed anyway). The launcher gets the URL, token included, on its command
/// line, where other users of the machine can see it while it runs: on a shared machine open
/// the printed URL by hand instead.
pub fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        // `start`'s first quoted argument is a window title.
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let launched = std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = launched {
        eprintln!("could not open a browser ({program}: {e}); open the URL above by hand");
    }
}
