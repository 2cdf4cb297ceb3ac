//! Who may talk to the dashboard (pure apart from drawing the token).
//!
//! - **DNS rebinding**: a page on `evil.example` whose name is made to resolve to 127.0.0.1
//!   reaches this server with `Host: evil.example:3100`. Every request whose `Host` is not the
//!   bound `address:port` (or `localhost:port` on a loopback address) is refused, pages and
//!   assets included. On an unspecified address (`0.0.0.0`, `::`), where the name the user
//!   reaches the machine by is not known, any IP literal is taken: rebinding needs a DNS name.
//! - **Reads** (the state stream, a canary's detail) need this run's token, so another user of
//!   the machine who can connect to the port cannot watch the fleet.
//! - **Writes** (plans and actions) need the token in the `X-Dashboard-Token` header and an
//!   `Origin` that is this server's own: a form or script on another site can send neither
//!   (a custom header makes the browser ask first, and this server answers no CORS).
//!
//! The token reaches the page in the URL's fragment (`#token=…`), which browsers never send to
//! any server nor put in a `Referer`; the page moves it to its session storage and removes it
//! from the address bar. Reads carry it in the query (EventSource cannot set headers), which
//! only this server sees, and every answer says `Referrer-Policy: no-referrer`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The header that carries the token on writes.
pub const TOKEN_HEADER: &str = "x-dashboard-token";

/// Why a request was refused (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    ForeignHost,
    BadToken,
    ForeignOrigin,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::ForeignHost => {
                "forbidden: the Host header is not the dashboard's own address (DNS rebinding is refused)"
            }
            Refusal::BadToken => "forbidden: missing or wrong dashboard token (open the URL the dashboard printed)",
            Refusal::ForeignOrigin => "forbidden: the request does not come from the dashboard's own page (Origin)",
        }
    }
}

/// This run's rules: the bound address and the token.
#[derive(Clone)]
pub struct Guard {
    bound: SocketAddr,
    token: String,
}

impl Guard {
    pub fn new(bound: SocketAddr, token: String) -> Guard {
        Guard { bound, token }
    }

    /// The URL to open: the page, with the token in the fragment. Bound to every interface
    /// (`0.0.0.0`, `::`), it names this machine's loopback address of that family: a browser
    /// cannot connect to an unspecified address (Chromium refuses `0.0.0.0` outright), and the
    /// name other machines reach this one by is not known here; they put one of its IP
    /// addresses in its place (see `commands::dashboard`).
    pub fn url(&self) -> String {
        let mut reachable = self.bound;
        match self.bound.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => reachable.set_ip(Ipv4Addr::LOCALHOST.into()),
            IpAddr::V6(ip) if ip.is_unspecified() => reachable.set_ip(Ipv6Addr::LOCALHOST.into()),
            _ => {}
        }
        format!("http://{reachable}/#token={}", self.token)
    }

    /// Whether `host` (the `Host` header) names this server.
    pub fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some((name, port)) = host.and_then(split_host) else {
            return false;
        };
        if port != self.bound.port() {
            return false;
        }
        let ip = self.bound.ip();
        match name.parse::<IpAddr>() {
            Ok(named) => named == ip || ip.is_unspecified(),
            Err(_) => name.eq_ignore_ascii_case("localhost") && (ip.is_loopback() || ip.is_unspecified()),
        }
    }

    /// A read: the host, and the token (from the query).
    pub fn check_read(&self, host: Option<&str>, token: Option<&str>) -> Result<(), Refusal> {
        if !self.host_allowed(host) {
            return Err(Refusal::ForeignHost);
        }
        if !token.is_some_and(|t| same(t, &self.token)) {
            return Err(Refusal::BadToken);
        }
        Ok(())
    }

    /// A write: the host, the token (from [`TOKEN_HEADER`]) and an `Origin` that is
    /// `http://` and the very host the request was sent to.
    pub fn check_write(&self, host: Option<&str>, origin: Option<&str>, token: Option<&str>) -> Result<(), Refusal> {
        self.check_read(host, token)?;
        let own = host.map(|h| format!("http://{h}"));
        match (origin, own) {
            (Some(origin), Some(own)) if origin.eq_ignore_ascii_case(&own) => Ok(()),
            _ => Err(Refusal::ForeignOrigin),
        }
    }
}

/// `name:port` or `[v6]:port` into its parts; a Host without a port is port 80, http's
/// default, which browsers leave out (RFC 9110, 7.2).
fn split_host(host: &str) -> Option<(&str, u16)> {
    let (name, port) = match host.rsplit_once(':') {
        // `[::1]` alone: the colons are the address's.
        Some((name, port)) if !port.ends_with(']') => (name, port.parse().ok()?),
        _ => (host, 80),
    };
    let name = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    Some((name, port))
}

/// Compares in time independent of where the texts differ (a token must not be guessable
/// byte by byte from response times).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh token: 32 random bytes from the operating system, as hex.
pub fn new_token() -> anyhow::Result<String> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("the operating system gave no random bytes for the dashboard token"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(address: &str) -> Guard {
        Guard::new(address.parse().unwrap(), "t0ken".into())
    }

    #[test]
    fn only_the_bound_address_is_served() {
        let g = guard("127.0.0.1:3100");
        assert!(g.host_allowed(Some("127.0.0.1:3100")));
        assert!(g.host_allowed(Some("localhost:3100")));
        assert!(g.host_allowed(Some("LOCALHOST:3100")));
        // DNS rebinding: a name that resolves here is still not this server's name.
        assert!(!g.host_allowed(Some("evil.example:3100")));
        assert!(!g.host_allowed(Some("127.0.0.1:3101")));
        assert!(!g.host_allowed(Some("127.0.0.1")));
        assert!(!g.host_allowed(Some("127.0.0.2:3100")));
        assert!(!g.host_allowed(None));
        let v6 = guard("[::1]:3100");
        assert!(v6.host_allowed(Some("[::1]:3100")));
        assert!(!v6.host_allowed(Some("127.0.0.1:3100")));
        // Bound to every interface: any IP literal, never a DNS name but localhost.
        let any = guard("0.0.0.0:3100");
        assert!(any.host_allowed(Some("10.1.2.3:3100")));
        assert!(any.host_allowed(Some("localhost:3100")));
        assert!(!any.host_allowed(Some("evil.example:3100")));
        // A public address bound: localhost is another interface.
        assert!(!guard("10.1.2.3:3100").host_allowed(Some("localhost:3100")));
        // On port 80 browsers send no port.
        let eighty = guard("127.0.0.1:80");
        assert!(eighty.host_allowed(Some("127.0.0.1")) && eighty.host_allowed(Some("localhost:80")));
        assert!(guard("[::1]:80").host_allowed(Some("[::1]")));
        assert!(!eighty.host_allowed(Some("evil.example")));
    }

    #[test]
    fn the_url_names_an_address_a_browser_can_open() {
        assert_eq!(guard("127.0.0.1:3100").url(), "http://127.0.0.1:3100/#token=t0ken");
        assert_eq!(guard("10.1.2.3:3100").url(), "http://10.1.2.3:3100/#token=t0ken");
        // Every interface: this machine's loopback of that family, which the Host check takes.
        let any = guard("0.0.0.0:3100");
        assert_eq!(any.url(), "http://127.0.0.1:3100/#token=t0ken");
        assert!(any.host_allowed(Some("127.0.0.1:3100")));
        let any6 = guard("[::]:3100");
        assert_eq!(any6.url(), "http://[::1]:3100/#token=t0ken");
        assert!(any6.host_allowed(Some("[::1]:3100")));
    }

    #[test]
    fn writes_need_the_token_and_the_pages_own_origin() {
        let g = guard("127.0.0.1:3100");
        let host = Some("127.0.0.1:3100");
        let own = Some("http://127.0.0.1:3100");
        assert_eq!(g.check_write(host, own, Some("t0ken")), Ok(()));
        assert_eq!(g.check_write(host, own, None), Err(Refusal::BadToken));
        assert_eq!(g.check_write(host, own, Some("t0keN")), Err(Refusal::BadToken));
        assert_eq!(g.check_write(host, own, Some("t0ke")), Err(Refusal::BadToken));
        assert_eq!(
            g.check_write(host, Some("http://evil.example"), Some("t0ken")),
            Err(Refusal::ForeignOrigin)
        );
        assert_eq!(
            g.check_write(host, Some("http://localhost:3100"), Some("t0ken")),
            Err(Refusal::ForeignOrigin),
            "the origin must be the host the request went to"
        );
        assert_eq!(g.check_write(host, None, Some("t0ken")), Err(Refusal::ForeignOrigin));
        assert_eq!(
            g.check_write(
                Some("evil.example:3100"),
                Some("http://evil.example:3100"),
                Some("t0ken")
            ),
            Err(Refusal::ForeignHost)
        );
        assert_eq!(g.check_read(host, Some("t0ken")), Ok(()));
        assert_eq!(g.check_read(host, None), Err(Refusal::BadToken));
    }

    #[test]
    fn tokens_are_long_and_fresh() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(guard("127.0.0.1:3100").url(), "http://127.0.0.1:3100/#token=t0ken");
    }
}
