//! A loopback-only static file server for `cargo xtask demo`: serves `dist/` with `/` mapped to `idlens.html`.
//!
//! Deliberately tiny (one connection at a time, GET only): it serves one static page to the auditor's own browser.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::Path;

use anyhow::Context as _;

pub fn serve(dir: &Path, port: u16) -> anyhow::Result<()> {
    let listener =
        TcpListener::bind(("127.0.0.1", port)).with_context(|| format!("port {port} is busy"))?;
    println!("\nIdlens viewer: http://127.0.0.1:{port}/#demo   (Ctrl-C to stop)");
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut request_line = String::new();
        if BufReader::new(&stream)
            .read_line(&mut request_line)
            .is_err()
        {
            continue;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let name = if path == "/" {
            "idlens.html"
        } else {
            path.trim_start_matches('/')
        };
        // Only plain names inside dist/: no separators, no parent references.
        let safe = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
        let body = safe.then(|| std::fs::read(dir.join(name)).ok()).flatten();
        let response = match body {
            Some(body) => {
                let kind = match name.rsplit('.').next() {
                    Some("html") => "text/html; charset=utf-8",
                    Some("js") => "text/javascript",
                    Some("wasm") => "application/wasm",
                    Some("css") => "text/css",
                    _ => "application/octet-stream",
                };
                let mut head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                head.extend_from_slice(&body);
                head
            }
            None => {
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
            }
        };
        stream.write_all(&response).ok();
    }
    Ok(())
}
