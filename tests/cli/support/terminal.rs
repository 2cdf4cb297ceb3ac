//! Terminals for the tests that need one.
//!
//! - `script(1)` (util-linux) runs a command on a pseudo-terminal, copies everything it writes
//!   (escape codes included) to its own stdout, and what the test writes to its stdin to the
//!   terminal: for colour, prompts and typed answers. Run [`on_terminal`]'s command with
//!   [`super::Running::spawn`].
//! - tmux keeps a screen of a given size whose current contents can be read back: for the live
//!   view and its keys ([`Tmux`]).
//!
//! Under CI a missing tool fails the test ([`super::require_tool`]).

use std::path::Path;
use std::process::{Command, Stdio};

use super::{isolate, require_tool, wait_for};

const SCRIPT: &str = "/usr/bin/script";

/// Whether script(1) can be used; see [`require_tool`].
pub fn script_available(test: &str) -> bool {
    require_tool(
        test,
        Path::new(SCRIPT).exists(),
        "script(1) is not installed (util-linux / bsdutils)",
    )
}

/// `shell` (run by `sh -c`) on a 120x40 pseudo-terminal with `TERM=xterm-256color`, in the
/// isolated environment of [`super::plugin`] (`NO_COLOR` set: remove it to test colour), stdin
/// piped for typed answers. Its exit code is the command's; its output has the terminal's
/// `\r\n` line ends.
pub fn on_terminal(home: &Path, shell: &str) -> Command {
    let mut cmd = Command::new(SCRIPT);
    cmd.args(["-qec", &format!("stty cols 120 rows 40; {shell}"), "/dev/null"]);
    isolate(&mut cmd, home);
    cmd.env("TERM", "xterm-256color").stdin(Stdio::piped());
    cmd
}

/// A detached tmux session on a server of its own (so parallel tests and other users' tmux do
/// not meet), killed on drop.
pub struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    /// Whether tmux can be used; see [`require_tool`].
    pub fn available(test: &str) -> bool {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        require_tool(test, ok, "tmux is not installed")
    }

    /// Runs `shell` in a `width`x`height` screen. The pane stays open after the command ends,
    /// so its final screen can still be read, with `[exit status N]` under it.
    pub fn start(name: &str, shell: &str, width: u16, height: u16) -> Tmux {
        let tmux = Tmux {
            socket: format!("kr-{name}-{}", std::process::id()),
            session: name.to_string(),
        };
        let keep_open = format!("{shell}; echo \"[exit status $?]\"; cat >/dev/null");
        let (w, h) = (width.to_string(), height.to_string());
        let out = tmux.run(&["new-session", "-d", "-s", name, "-x", &w, "-y", &h, &keep_open]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        tmux
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .env_remove("TMUX")
            .output()
            .unwrap()
    }

    /// The screen as it is now, one line per row.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", &self.session]).stdout).into_owned()
    }

    /// Waits until the screen shows `needle`, and returns that screen.
    pub fn wait_for_screen(&self, needle: &str) -> String {
        wait_for(&format!("{needle:?} on the screen"), || {
            let screen = self.screen();
            if screen.contains(needle) {
                Ok(screen)
            } else {
                Err(format!("\n{screen}"))
            }
        })
    }

    /// Types keys (tmux key names: "j", "Enter", "C-c", …).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
