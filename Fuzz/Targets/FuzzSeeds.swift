public import Foundation

extension FuzzTarget {
    /// Valid and once-crashing inputs to start from; `Fuzz/Corpus/<target>/`
    /// holds the same and any more a campaign found.
    public var seeds: [Data] {
        seedTexts.map { Data($0.utf8) }
    }

    private var seedTexts: [String] {
        switch self {
        case .httpRequest:
            return [
                "POST /exec HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer exe1.AAAA\r\nContent-Length: 2\r\n\r\nls",
                "POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nls\r\n0\r\n\r\n",
                "GET /_sim/health HTTP/1.1\r\n\r\n",
                // Issue 19: a negative length and a negative chunk size trapped.
                "POST /exec HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                "POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nls\r\n0\r\n\r\n",
                "POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n" + String(repeating: "x", count: 1000),
            ]
        case .httpResponse:
            return [
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\n\r\nnot found",
                "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
            ]
        case .clientHTTPResponse:
            return [
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Exe-Exit\r\n\r\n4;x=1\r\nout\n\r\n0\r\nX-Exe-Exit: 3\r\n\r\n",
                "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n\r\n{\"error\":\"rate limited\"}",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nx",
                "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
            ]
        case .controlCommandLine:
            return ["ls --json", "new --name='a b' --image=\"x\\\"y\"", "ssh-key add 'ssh-ed25519 AAAA c'", "'unterminated", "a\\", "\"\\$x\""]
        case .goFlags:
            return [
                "new --name=a --json", "-json=false -name x", "--env A=1 --env B=2 rest", "-count=-1", "-disk=18446744073709551616",
                "ssh-key generate-api-key --exp=9223372036854775807y", "--exp=30d", "--", "-", "---x",
            ]
        case .knownHosts:
            return [
                "exe.dev ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk0jMJW9L3FzNLeGLtm4aXZ0qG1xH4d6sCT4OCs0t9k\n",
                "|1|c2FsdA==|aGFzaA== ssh-ed25519 AAAA\n@revoked * ssh-rsa AAAA\n@cert-authority *.exe.xyz ssh-ed25519 AAAA\n",
                "[127.0.0.1]:2222,!bad.example ecdsa-sha2-nistp256 AAAA\n# comment\n\n",
            ]
        case .sshConfig:
            return [
                "Host exe.dev\n  HostName 127.0.0.1\n  Port 2222\n  User me\n  IdentityFile ~/.ssh/id_%h_%r_%p\n",
                "Host *\n StrictHostKeyChecking=accept-new\n UserKnownHostsFile \"~/a b\" none\nMatch host x\n User y\n",
                "Include /nonexistent/*\nHost !x *.exe.xyz\nPort -1\nPort 99999999999999999999\n",
            ]
        case .controlResponse:
            return [
                "{\"vms\":[]}\n", "{\"error\":\"vm not found\"}\n", "[1,2]{\"a\":\"b\"}\"s\"", "{\"error\":\"x\"}\n{\"name\":\"y\"}\n", "{\"a\":[[[[",
            ]
        case .responseModels:
            return [
                "{\"vms\":[{\"vm_name\":\"a\",\"status\":\"running\",\"ssh_port\":22}]}",
                "{\"email\":\"a@b\",\"ssh_keys\":[{\"public_key\":\"k\",\"fingerprint\":\"f\"}]}",
                "{\"vm_name\":\"a\",\"created_at\":\"2026-01-01T00:00:00Z\",\"ssh_port\":1e309}",
                "{\"ssh_port\":-1,\"http_port\":99999999999999999999}",
            ]
        case .durationAndSize:
            return [
                "45s", "1h30m", "2d", "90", "106751991167302d", "9223372036854775807s1s", "0s", "8GB", "2.5G", "512MiB", "1e30T", "-1G",
            ]
        case .deployConfiguration:
            return [
                "version: 1\napp: web\npattern: compose\nport: 8080\nhealth:\n  path: /\n  timeout: 60s\n",
                "version: 1\nhealth:\n  timeout: 106751991167302d\n",
                "? [a]\n: b\n",
                "version: 1\napp: &a web\nvm: *a\n",
            ]
        case .leaseConfiguration:
            return [
                "version: 1\nlease:\n  image: ubuntu\n  ttl: 2h\n  idleTimeout: 30m\n  sync:\n    exclude: [a, b]\n    compress: true\n",
                "lease:\n  ttl: 9223372036854775807s1s\n", "? [a]\n: b\n", "lease:\n  ttl: 1:2:3:4:5:6:7:8:9:10:11:12:13\n",
            ]
        case .composeFile:
            return [
                "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n      - target: 81\n        published: 8081\n",
                "x-base: &base\n  image: nginx\nservices:\n  web:\n    <<: *base\n    container_name: w\n", "? [a]\n: b\n",
            ]
        case .yaml:
            return [
                "a: [1, 2, {b: c}]\n", "? {a: b}\n: c\n",
                "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
                "n: 0x7fffffffffffffff\nm: 0o777777777777777777777777\nt: 2001-12-14t21:59:43.10-05:00\n", "!!binary aGVsbG8=\n",
            ]
        case .syncManifest:
            let digest = String(repeating: "a", count: 64)
            return [
                "exe-sync-manifest 1\nf 644 12 1700000000 \(digest) src/main.swift\0l 777 5 1700000000 \(digest) link\0",
                "exe-sync-manifest 1\nf 644 99999999999999999999 0 \(digest) a\0",
                "exe-sync-manifest 1\nf 77777777777 1 0 \(digest) a\0",
            ]
        case .tarHeader:
            return ["src/main.swift\0\012\0644", String(repeating: "d/", count: 80) + "f\0\00\0755", "link\0../../etc/passwd\00\0777"]
        case .apiKeyExpiry:
            return ["30d", "1y", "never", " 12H ", "9223372036854775807y", "99999999999999999999y", "-5d", "0d", "5x", "1", "+3w"]
        }
    }
}
