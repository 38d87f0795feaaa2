//! Just enough of the W3C WebDriver protocol to drive headless Chromium through
//! chromedriver: open pages, find elements, type, click, read text, take screenshots.
//! A missing browser fails the test; it never skips.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_program(names: &[&str]) -> PathBuf {
    for name in names {
        for dir in std::env::var("PATH").unwrap_or_default().split(':').chain(["/usr/bin", "/usr/lib/chromium"]) {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "{} is not installed: the browser tests need Chromium and its driver; run ./test.sh (it installs them) \
         or `sudo apt-get install chromium chromium-driver`",
        names[0]
    )
}

/// A chromedriver process and one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
    pub shots: PathBuf,
}

impl Browser {
    pub fn start(shots: &Path) -> Browser {
        let chromedriver = find_program(&["chromedriver"]);
        let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
        let started = Instant::now();
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--window-size=1366,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args } } } });
        let resp: Value =
            agent.post(&format!("{base}/session")).send_json(caps).expect("a browser session").into_json().unwrap();
        let session = resp["value"]["sessionId"].as_str().expect("a session id").to_owned();
        std::fs::create_dir_all(shots).unwrap();
        Browser { driver, base, session, agent, _profile: profile, shots: shots.to_owned() }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = self.agent.request(method, &url);
        let result = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        };
        match result {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].clone(),
            Err(ureq::Error::Status(code, r)) => {
                panic!("WebDriver {method} {path}: {code} {}", r.into_string().unwrap_or_default())
            }
            Err(e) => panic!("WebDriver {method} {path}: {e}"),
        }
    }

    /// Resizes the window (a phone is 390 × 844).
    pub fn resize(&self, width: u32, height: u32) {
        self.call("POST", "/window/rect", Some(json!({ "width": width, "height": height })));
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The page's cookies as a `Cookie` header: a download made with the browser's session.
    pub fn cookie_header(&self) -> String {
        let cookies = self.call("GET", "/cookie", None);
        cookies
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|c| {
                        format!(
                            "{}={}",
                            c["name"].as_str().unwrap_or_default(),
                            c["value"].as_str().unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None).as_str().unwrap_or_default().to_owned()
    }

    /// Waits up to ten seconds for the page's path to satisfy `want` (a form's navigation
    /// may still be under way when a click returns); returns the URL.
    pub fn wait_for(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let url = self.url();
            let ready =
                self.call("POST", "/execute/sync", Some(json!({ "script": "return document.readyState", "args": [] })));
            if want(&url) && ready == "complete" {
                return url;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "waited for {what}; still at {url}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits up to ten seconds for `done` to hold of the page: a form that posts back to the
    /// page it came from leaves the URL as it was, so only the page itself shows it arrived.
    pub fn wait_until(&self, what: &str, done: impl Fn(&Browser) -> bool) {
        let started = Instant::now();
        while !done(self) {
            assert!(started.elapsed() < Duration::from_secs(10), "waited for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `script` in the page and returns what it returns.
    pub fn script(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
    }

    pub fn title(&self) -> String {
        self.call("GET", "/title", None).as_str().unwrap_or_default().to_owned()
    }

    pub fn source(&self) -> String {
        self.call("GET", "/source", None).as_str().unwrap_or_default().to_owned()
    }

    /// The first element matching `css`, waiting up to five seconds for it.
    pub fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let url = format!("{}/session/{}/element", self.base, self.session);
            if let Ok(r) = self.agent.post(&url).send_json(json!({ "using": "css selector", "value": css })) {
                let v: Value = r.into_json().unwrap();
                return v["value"][ELEMENT].as_str().unwrap().to_owned();
            }
            assert!(started.elapsed() < Duration::from_secs(5), "no element matches {css} on {}", self.url());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn count(&self, css: &str) -> usize {
        self.call("POST", "/elements", Some(json!({ "using": "css selector", "value": css })))
            .as_array()
            .map_or(0, Vec::len)
    }

    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    pub fn fill(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call("POST", &format!("/element/{id}/value"), Some(json!({ "text": text })));
    }

    /// Sends a file path to an `<input type=file>`.
    pub fn attach(&self, css: &str, path: &Path) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/value"), Some(json!({ "text": path.display().to_string() })));
    }

    /// The rendered text of the first element matching `css`, read in one script call: a
    /// page navigating away between finding an element and reading it (a form just
    /// submitted) cannot leave a stale reference behind. Waits up to five seconds for it.
    pub fn text(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let read = self.call(
                "POST",
                "/execute/sync",
                Some(json!({ "script": "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", "args": [css] })),
            );
            if let Some(text) = read.as_str() {
                return text.to_owned();
            }
            assert!(started.elapsed() < Duration::from_secs(5), "no element matches {css} on {}", self.url());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG of the page under `name` and returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine as _;
        let data = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
