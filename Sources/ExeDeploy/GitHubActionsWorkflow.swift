import Foundation
/// The workflow `exe-cli deploy init --github-actions` writes
/// (`.github/workflows/exe-deploy.yml`): deploy on every push to the
/// repository's default branch (`GitDefaultBranch`, read at `init` time),
/// one deploy at a time, with secrets from the repository's Actions
/// secrets — and the commands that create them. Secrets and variables
/// reach scripts only through `env:` (never `${{ }}` inside a `run:`
/// script, where a value would become shell code).
public enum GitHubActionsWorkflow {
    /// exe.dev's published SSH host key fingerprint (reference §1.1); the
    /// workflow checks the key `ssh-keyscan` fetches against it.
    public static let exeDevHostKeyFingerprint = "SHA256:JJOP/lwiBGOMilfONPWZCXUrfK154cnJFXcqlsi6lPo"

    /// Where the workflow goes.
    public static let path = ".github/workflows/exe-deploy.yml"

    /// A secret the workflow reads.
    public struct SecretSpec: Sendable, Codable, Equatable {
        /// Its name in the repository's Actions secrets.
        public var name: String
        /// What it holds.
        public var purpose: String
        /// The commands that make and store it (they print no value).
        public var commands: [String]
    }

    /// The secrets a workflow for `app` needs.
    public static func secrets(app: String, vm: String, pattern: DeployPattern, registryPasswordEnv: String) -> [SecretSpec] {
        let key = "~/.ssh/\(app)_exedev_ci"
        let commands =
            pattern == .replace
            ? "ls,new,rm,rename,tag,comment,share show,share port,share set-public,share set-private,ssh-key generate-api-key,ssh-key remove,whoami"
            : "ls,share show,share port,whoami"
        return [
            SecretSpec(
                name: "EXEDEV_API_TOKEN", purpose: "exe.dev control-plane token, scoped to the commands a deploy runs",
                commands: [
                    "ssh exe.dev ssh-key generate-api-key --label=\(app)-github-actions --cmds='\(commands)' --exp=90d --json | jq -r .token | gh secret set EXEDEV_API_TOKEN",
                ]),
            SecretSpec(
                name: "EXEDEV_SSH_KEY", purpose: "private key that reaches the VM \(vm) over SSH (audit log, compose updates)",
                commands: [
                    "ssh-keygen -t ed25519 -N '' -C \(app)-ci -f \(key)",
                    "ssh exe.dev ssh-key add < \(key).pub",
                    "gh secret set EXEDEV_SSH_KEY < \(key)",
                ]),
            SecretSpec(
                name: registryPasswordEnv, purpose: "registry token (GHCR: a classic PAT with read:packages and write:packages)",
                commands: ["gh secret set \(registryPasswordEnv)   # paste the token when asked"]),
        ]
    }

    /// The workflow's YAML, deploying pushes to `branch`.
    public static func render(app: String, registryPasswordEnv: String, branch: String = "main") -> String {
        """
        # Deploys \(app) to exe.dev on every push to \(branch) (exe-cli deploy, Docs/ExeDeploy.md).
        # Secrets: EXEDEV_API_TOKEN, EXEDEV_SSH_KEY, \(registryPasswordEnv) (see `exe-cli deploy init --github-actions`).
        name: exe-deploy
        on:
          push:
            branches: [\(yamlQuoted(branch))]
          workflow_dispatch:
        concurrency:
          group: exe-deploy-\(app)
          cancel-in-progress: false
        permissions:
          contents: read
          packages: write
        jobs:
          deploy:
            runs-on: ubuntu-latest
            timeout-minutes: 30
            env:
              # Control-plane commands go over the HTTPS API with a scoped, expiring token. /exec stops a
              # command after 30 s: if `new` pulls a large image for longer, use EXE_TRANSPORT: ssh and the SSH key.
              EXE_TRANSPORT: https
              EXE_API_TOKEN: ${{ secrets.EXEDEV_API_TOKEN }}
              EXE_IDENTITY: ${{ github.workspace }}/../exedev_ci_key
              # exe.dev's host key is pinned by its published fingerprint (the next step checks it); VMs
              # (<vm>.exe.xyz) present the same key. Nothing is trusted on first use.
              EXE_KNOWN_HOSTS: ${{ github.workspace }}/../exedev_known_hosts
              EXE_HOST_KEY_POLICY: strict
              \(registryPasswordEnv): ${{ secrets.\(registryPasswordEnv) }}
            steps:
              - uses: actions/checkout@v4
              - name: SSH key
                env:
                  EXEDEV_SSH_KEY: ${{ secrets.EXEDEV_SSH_KEY }}
                run: |
                  umask 077
                  printf '%s\\n' "$EXEDEV_SSH_KEY" > "$EXE_IDENTITY"
              - name: Pin exe.dev's host key
                run: |
                  key=$(ssh-keyscan -t ed25519 exe.dev 2>/dev/null | awk '$1 == "exe.dev" { print $2 " " $3; exit }')
                  fingerprint=$(printf 'exe.dev %s\\n' "$key" | ssh-keygen -lf - | awk '{ print $2 }')
                  if [ "$fingerprint" != \(Self.exeDevHostKeyFingerprint) ]; then
                    echo "exe.dev presented host key $fingerprint, not the published \(Self.exeDevHostKeyFingerprint)" >&2
                    exit 1
                  fi
                  printf 'exe.dev,*.exe.xyz %s\\n' "$key" > "$EXE_KNOWN_HOSTS"
              - name: Install exe-cli
                env:
                  EXE_CLI_SOURCE: ${{ vars.EXE_CLI_SOURCE }}
                run: |
                  # exe-cli builds with Swift 6 (swift build -c release --product exe-cli); point EXE_CLI_SOURCE
                  # (a repository variable) at its git repository, or replace this step with your own install.
                  git clone --depth 1 "$EXE_CLI_SOURCE" "$RUNNER_TEMP/exe"
                  (cd "$RUNNER_TEMP/exe" && swift build -c release --product exe-cli)
                  sudo install "$RUNNER_TEMP/exe/.build/release/exe-cli" /usr/local/bin/exe-cli
              - name: Deploy
                run: exe-cli deploy --json > deploy.json
              - name: Report
                if: always()
                run: cat deploy.json || true

        """
    }

    /// `branch` as a YAML double-quoted scalar.
    static func yamlQuoted(_ branch: String) -> String {
        "\"" + branch.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
