//! Idle connections, as kube-apiserver's Go server treats them: one with nothing in progress is
//! closed after the idle timeout; one carrying a watch is busy however long the watch lasts.
//! Over raw HTTP/1.1 keep-alive connections (HTTP/2 is covered by the plugin's transport tests).

use std::net::SocketAddr;
use std::time::Duration;

use fleet_sim::{SimCluster, User};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const TOKEN: &str = "test-token";

/// Bounds a hang; measures nothing.
const PATIENCE: Duration = Duration::from_secs(90);

async fn served(idle: Duration) -> (SimCluster, SocketAddr) {
    let cluster = SimCluster::new("test");
    cluster.add_user(TOKEN, User::admin("tester"));
    cluster.set_idle_timeout(idle);
    let addr = cluster.serve().await.unwrap();
    (cluster, addr)
}

async fn send(stream: &mut BufReader<TcpStream>, addr: SocketAddr, target: &str) {
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n");
    stream.get_mut().write_all(request.as_bytes()).await.unwrap();
}

/// Reads a response's head; answers its status line and headers (lowercased names).
async fn head(stream: &mut BufReader<TcpStream>) -> (String, Vec<(String, String)>) {
    let mut status = String::new();
    stream.read_line(&mut status).await.unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            return (status.trim_end().to_string(), headers);
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
}

/// One chunk of a chunked body.
async fn chunk(stream: &mut BufReader<TcpStream>) -> String {
    let mut size = String::new();
    stream.read_line(&mut size).await.unwrap();
    let size = usize::from_str_radix(size.trim_end(), 16).unwrap();
    let mut data = vec![0; size + 2];
    stream.read_exact(&mut data).await.unwrap();
    String::from_utf8_lossy(&data[..size]).into_owned()
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_and_one_carrying_a_watch_is_not() {
    let (cluster, addr) = served(Duration::from_millis(200)).await;

    // A watch, open before the other connection goes idle.
    let mut watching = BufReader::new(TcpStream::connect(addr).await.unwrap());
    send(
        &mut watching,
        addr,
        "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0",
    )
    .await;
    let (status, _) = head(&mut watching).await;
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");

    // A keep-alive connection that answered one request and then has nothing to do.
    let mut idle = BufReader::new(TcpStream::connect(addr).await.unwrap());
    send(&mut idle, addr, "/version").await;
    let (status, headers) = head(&mut idle).await;
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap();
    let mut body = vec![0; length];
    idle.read_exact(&mut body).await.unwrap();
    // The server closes it: end of stream, without another byte.
    let mut rest = Vec::new();
    let read = tokio::time::timeout(PATIENCE, idle.read_to_end(&mut rest)).await;
    assert!(
        matches!(read, Ok(Ok(0))),
        "the idle connection was not closed: {read:?}"
    );
    assert_eq!(cluster.connections().idle_closed, 1);

    // The watch outlived the idle timeout on its own connection and still streams.
    cluster
        .create(
            "",
            "configmaps",
            Some("default"),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "after-idle"}}),
        )
        .unwrap();
    let event = tokio::time::timeout(PATIENCE, chunk(&mut watching)).await.unwrap();
    assert!(event.contains("\"ADDED\"") && event.contains("after-idle"), "{event}");
    assert_eq!(
        cluster.connections().idle_closed,
        1,
        "the watching connection was closed as idle"
    );
}
